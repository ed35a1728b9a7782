import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { InvalidOptionError, connectEngine, exposeEngine, listTransforms } from '../src/embed/index.js';
import type { FarSource, RemoteEngine } from '../src/embed/index.js';
import type { EngineRecord } from '../src/index.js';
import { within } from './helpers/wait.js';

// exposeEngine(port, { transforms }) lets a host name modules and files by a
// path relative to the served folder, and nothing outside it: a symbolic link
// that leads out (to a file, through a folder, through another link) is
// refused like `../x.mjs`, one that stays inside is followed. Every module
// outside writes a marker file when it loads, so a refusal that came after
// the load would show.

/**
 *   <tmp>/outside/            evil.mjs, gen.mjs (each writes loaded-<name> when loaded), data.ndjson
 *   <tmp>/served/             double.mjs, gen.mjs, data.ndjson, real/nested.mjs
 *     out.mjs      -> ../outside/evil.mjs    out-gen.mjs -> ../outside/gen.mjs    out.ndjson -> ../outside/data.ndjson
 *     out-dir      -> ../outside             chain-out.mjs -> out.mjs (a link to a link out)
 *     in.mjs       -> double.mjs             in-gen.mjs  -> gen.mjs               in.ndjson  -> data.ndjson
 *     in-dir       -> real                   abs-in.mjs  -> <tmp>/served/double.mjs (an absolute target inside)
 *   <tmp>/served-link -> served                (the served folder named through a link)
 */
async function layout(t: TestContext): Promise<{ root: string; served: string; outside: string }> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'tidemark-symlinks-')));
  t.after(() => rm(root, { recursive: true, force: true }));
  const outside = join(root, 'outside');
  const served = join(root, 'served');
  await mkdir(outside);
  await mkdir(join(served, 'real'), { recursive: true });
  const marker = (name: string): string => `import { writeFileSync } from 'node:fs';\nwriteFileSync(new URL('./loaded-${name}', import.meta.url), '');\n`;
  await writeFile(join(outside, 'evil.mjs'), `${marker('evil')}export default (value) => ({ evil: value });\n`);
  await writeFile(join(outside, 'gen.mjs'), `${marker('gen')}export default [{ value: -1 }];\n`);
  await writeFile(join(outside, 'data.ndjson'), '{"value":-1}\n');
  await writeFile(join(served, 'double.mjs'), 'export default (value) => value * 2;\n');
  await writeFile(join(served, 'real', 'nested.mjs'), 'export default (value) => value * 3;\n');
  await writeFile(join(served, 'gen.mjs'), 'export default function* (args) { for (let n = 1; n <= args.count; n++) yield { value: n }; }\n');
  await writeFile(join(served, 'data.ndjson'), '{"value":5}\n{"value":6}\n');
  const links: [target: string, name: string, type: 'file' | 'dir'][] = [
    ['../outside/evil.mjs', 'out.mjs', 'file'],
    ['../outside/gen.mjs', 'out-gen.mjs', 'file'],
    ['../outside/data.ndjson', 'out.ndjson', 'file'],
    ['../outside', 'out-dir', 'dir'],
    ['out.mjs', 'chain-out.mjs', 'file'],
    ['double.mjs', 'in.mjs', 'file'],
    ['gen.mjs', 'in-gen.mjs', 'file'],
    ['data.ndjson', 'in.ndjson', 'file'],
    ['real', 'in-dir', 'dir'],
    [join(served, 'double.mjs'), 'abs-in.mjs', 'file'],
  ];
  for (const [target, name, type] of links) await symlink(target, join(served, name), type);
  await symlink(served, join(root, 'served-link'), 'dir');
  return { root, served, outside };
}

/** A remote engine served from `folder` over a MessageChannel; closed when `t` ends. */
async function connect(t: TestContext, folder: string, transform: string): Promise<RemoteEngine> {
  const { port1, port2 } = new MessageChannel();
  const exposed = exposeEngine(port2, { transforms: folder });
  let engine: RemoteEngine;
  try {
    engine = await connectEngine(port1, { transform, threads: 1 });
  } catch (error) {
    await exposed.close();
    throw error;
  }
  t.after(async () => {
    await engine.close();
    await within(exposed.closed, 'the far side to close');
  });
  return engine;
}

/** The error `work` rejects with (fails if it resolves). */
async function rejection(work: () => Promise<unknown>, what: string): Promise<unknown> {
  return within(
    work().then(
      () => assert.fail(`${what} was not refused`),
      (error: unknown) => error,
    ),
    what,
  );
}

function assertOutside(error: unknown, option: string, name: string): void {
  assert.ok(error instanceof InvalidOptionError, `${name}: an InvalidOptionError, got ${String(error)}`);
  assert.equal(error.code, 'ERR_TIDEMARK_INVALID_OPTION');
  assert.equal(error.option, option, name);
  assert.equal(error.received, name);
  assert.match(error.message, /inside the served folder/, name);
}

async function values(records: AsyncIterable<EngineRecord>): Promise<unknown[]> {
  const out: EngineRecord[] = [];
  for await (const record of records) out.push(record);
  return out.sort((a, b) => a.offset - b.offset).map((record) => (record.kind === 'output' ? record.value : record.error.code));
}

test('a transform named through a link that leads out of the served folder is refused with InvalidOptionError `transform`; nothing outside loads', async (t) => {
  const { served, outside } = await layout(t);
  for (const name of ['out.mjs', 'out-dir/evil.mjs', 'chain-out.mjs', 'in-dir/../out.mjs']) {
    assertOutside(await rejection(() => connect(t, served, name), name), 'transform', name);
  }
  assert.deepEqual((await readdir(outside)).filter((file) => file.startsWith('loaded-')), [], 'no module outside was loaded');
});

test('far sources named through a link that leads out are refused with InvalidOptionError `source.ndjson` / `source.module`; the engine runs on', async (t) => {
  const { served, outside } = await layout(t);
  const engine = await connect(t, served, 'double.mjs');
  const refused: [FarSource, string, string][] = [
    [{ ndjson: 'out.ndjson' }, 'source.ndjson', 'out.ndjson'],
    [{ ndjson: 'out-dir/data.ndjson' }, 'source.ndjson', 'out-dir/data.ndjson'],
    [{ module: 'out-gen.mjs' }, 'source.module', 'out-gen.mjs'],
    [{ module: 'out-dir/gen.mjs' }, 'source.module', 'out-dir/gen.mjs'],
  ];
  for (const [source, option, name] of refused) {
    assertOutside(await rejection(() => engine.process(source).next(), `${option} ${name}`), option, name);
  }
  assert.equal(existsSync(join(outside, 'loaded-gen')), false, 'the generator outside was not loaded');
  assert.deepEqual(await values(engine.process([{ value: 21 }])), [42], 'the engine still runs');
});

test('links that stay inside the served folder are followed: a file link, a folder link, an absolute target inside, and the folder itself named through a link', async (t) => {
  const { root, served } = await layout(t);
  for (const [transform, factor] of [
    ['in.mjs', 2],
    ['in-dir/nested.mjs', 3],
    ['abs-in.mjs', 2],
  ] as const) {
    const engine = await connect(t, served, transform);
    assert.deepEqual(await values(engine.process([{ value: 7 }])), [7 * factor], transform);
  }
  const engine = await connect(t, served, 'in.mjs');
  assert.deepEqual(await values(engine.process({ ndjson: 'in.ndjson' })), [10, 12], 'an NDJSON file through a link inside');
  assert.deepEqual(await values(engine.process({ module: 'in-gen.mjs', args: { count: 3 } })), [2, 4, 6], 'a generator through a link inside');
  const throughLink = await connect(t, join(root, 'served-link'), 'double.mjs');
  assert.deepEqual(await values(throughLink.process([{ value: 4 }])), [8], 'a served folder named through a link');
  assertOutside(await rejection(() => connect(t, join(root, 'served-link'), 'out.mjs'), 'out.mjs through the linked folder'), 'transform', 'out.mjs');
});

test('listTransforms lists no link that leads out of the served folder', async (t) => {
  const { served } = await layout(t);
  const { port1, port2 } = new MessageChannel();
  const exposed = exposeEngine(port2, { transforms: served });
  const names = await within(listTransforms(port1), 'the list of transforms');
  await within(exposed.closed, 'the far side to close');
  assert.ok(names.includes('double.mjs') && names.includes('real/nested.mjs'), JSON.stringify(names));
  for (const name of ['out.mjs', 'out-gen.mjs', 'chain-out.mjs', 'out-dir/evil.mjs', 'out-dir/gen.mjs']) {
    assert.equal(names.includes(name), false, `${name} is not listed: ${JSON.stringify(names)}`);
  }
});
