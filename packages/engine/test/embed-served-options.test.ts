import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { connectEngine, exposeEngine, InvalidOptionError, webSocketEndpoint } from '../src/embed/index.js';
import type { RemoteEngine } from '../src/embed/index.js';
import { ServedEngines } from '../src/embed/engine-server.js';
import { ModuleNames } from '../src/embed/module-names.js';
import { MAX_SERVED_ENGINES } from '../src/embed/served-options.js';
import type { Reply } from '../src/embed/protocol.js';
import { ServeServer } from '../src/serve/serve-server.js';
import { within } from './helpers/wait.js';

// A host confined to a transforms folder names only modules inside it; the
// engine options it gives must not reach past it either. `execArgv` goes to
// the worker threads' command line (`--import data:…` runs any code) and
// `metrics: { port }` opens a listener on the serving machine.

const scratch = mkdtempSync(path.join(tmpdir(), 'tidemark-served-options-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
// The served folder; the markers a payload would leave go beside it, outside it.
const served = path.join(scratch, 'served');
mkdirSync(served);
writeFileSync(path.join(served, 'len.mjs'), 'export default (value) => String(value).length;\n');

/** A payload that, if it ever runs on the serving side, leaves `marker` behind. */
function payload(marker: string): string[] {
  return ['--import', `data:text/javascript,import{writeFileSync}from"node:fs";writeFileSync(${JSON.stringify(marker)},"ran on the serving side")`];
}

/** `error` is the InvalidOptionError naming `option` for a served engine. */
function refused(option: string): (error: unknown) => true {
  return (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError, String(error));
    assert.equal(error.option, option);
    assert.match(error.message, /engine served to a remote host/);
    return true;
  };
}

/** What `attempt` did: the engine it connected (one record run through it, which starts its workers), or the error. */
async function tryRun(attempt: Promise<RemoteEngine>): Promise<unknown> {
  let engine: RemoteEngine | undefined;
  try {
    engine = await attempt;
    for await (const record of engine.process([{ value: 'ab' }])) void record;
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await engine?.close();
  }
}

test('execArgv from a host confined to its folder is refused: no code runs on the serving side (MessagePort)', async () => {
  const marker = path.join(scratch, 'pwned-port');
  const { port1, port2 } = new MessageChannel();
  const exposed = exposeEngine(port2, { transforms: served });
  try {
    const error = await within(
      tryRun(connectEngine(port1, { transform: 'len.mjs', threads: 1, execArgv: payload(marker) })),
      'the connection with execArgv to be refused',
    );
    assert.equal(existsSync(marker), false, 'the host ran code on the serving side through execArgv');
    refused('execArgv')(error);
    assert.equal(exposed.engines, 0);
  } finally {
    await exposed.close();
  }
});

test('execArgv over tidemark serve is refused: no code outside --transforms runs on the server', async () => {
  const marker = path.join(scratch, 'pwned-serve');
  const server = await ServeServer.listen({ address: '127.0.0.1', port: 0, transforms: served, maxFrameBytes: 1 << 20, heartbeat: 0, log: () => {} });
  try {
    const socket = new WebSocket(server.url);
    await within(new Promise((resolve) => socket.once('open', resolve)), 'the socket to open');
    const error = await within(
      tryRun(connectEngine(webSocketEndpoint(socket as never), { transform: 'len.mjs', threads: 1, execArgv: payload(marker) })),
      'the connection with execArgv to be refused',
    );
    socket.close();
    assert.equal(existsSync(marker), false, 'code outside --transforms ran on the server');
    refused('execArgv')(error);
  } finally {
    await within(server.shutdown(), 'the server to shut down');
  }
});

/** `create(options)` on a connection confined to the served folder: its reply. */
async function createServed(options: Record<string, unknown>) {
  const engines = new ServedEngines(new ModuleNames(served));
  try {
    return await engines.create(options);
  } finally {
    await engines.disconnect();
  }
}

/** What `reply` answers; fails with its error when it has one. */
function okOf<T>(reply: Reply<T>): T {
  if (reply.error !== undefined) assert.fail(`the call failed: ${reply.error.name}: ${reply.error.message}`);
  return reply.ok;
}

function refusedReply(reply: Reply<unknown>, option: string): void {
  const error = reply.error;
  assert.ok(error !== undefined, `${option}: the engine was created`);
  assert.equal(error.name, 'InvalidOptionError', JSON.stringify(error));
  assert.equal(error.fields.option, option);
  assert.match(error.message, /engine served to a remote host/);
}

test('a confined host may not open a listener on the server (metrics), nor give an option outside the allowlist', async () => {
  for (const metrics of [true, { port: 0 }, {}]) {
    refusedReply(await createServed({ transform: 'len.mjs', threads: 1, metrics }), 'metrics');
  }
  // An option the engine does not know is refused as not allowed too (an option added later stays refused until judged).
  refusedReply(await createServed({ transform: 'len.mjs', env: { NODE_OPTIONS: '--inspect' } }), 'env');
  refusedReply(await createServed({ transform: 'len.mjs', execArgv: [] }), 'execArgv');
  // Given as undefined, an option is left out.
  const left = await createServed({ transform: 'len.mjs', threads: 1, execArgv: undefined, metrics: undefined });
  assert.equal(left.error, undefined, JSON.stringify(left.error));
});

test("a confined host gets at most one thread per core of the serving machine and rings of at most 16 MiB", async () => {
  const cores = availableParallelism();
  refusedReply(await createServed({ transform: 'len.mjs', threads: cores + 1 }), 'threads');
  refusedReply(await createServed({ transform: 'len.mjs', threads: 256 }), 'threads');
  refusedReply(await createServed({ transform: 'len.mjs', threads: 1, ringBytes: 2 ** 25 }), 'ringBytes');
  const most = await createServed({ transform: 'len.mjs', threads: cores, ringBytes: 2 ** 24 });
  assert.equal((okOf(most).options as { threads: number }).threads, cores);
  // The options a served engine takes still work as they do in-process.
  const shaped = await createServed({
    transform: 'len.mjs',
    threads: 1,
    concurrency: 8,
    ordering: 'ordered',
    retry: { attempts: 1 },
    timeout: 1000,
    buffers: { output: { messages: 64 } },
    transport: 'task',
  });
  assert.equal(shaped.error, undefined, JSON.stringify(shaped.error));
});

test(`a confined connection has at most ${MAX_SERVED_ENGINES} engines open at once`, async () => {
  const engines = new ServedEngines(new ModuleNames(served));
  try {
    const ids: number[] = [];
    for (let i = 0; i < MAX_SERVED_ENGINES; i++) {
      const reply = await engines.create({ transform: 'len.mjs', threads: 1 });
      ids.push(okOf(reply).id);
    }
    const over = await engines.create({ transform: 'len.mjs', threads: 1 });
    assert.ok(over.error !== undefined, 'a connection opened one engine too many');
    assert.match(over.error.message, new RegExp(`${MAX_SERVED_ENGINES} engines open.*close one first`));
    assert.equal(engines.engines, MAX_SERVED_ENGINES);
    await engines.close(ids[0] as number);
    const again = await engines.create({ transform: 'len.mjs', threads: 1 });
    assert.equal(again.error, undefined, JSON.stringify(again.error));
  } finally {
    await engines.disconnect();
  }
});

test('a host the far side trusts (no transforms folder: spawnEngine) keeps every option', async () => {
  const engines = new ServedEngines(new ModuleNames(undefined));
  try {
    const transform = new URL('./fixtures/double.js', import.meta.url).href;
    const reply = await engines.create({ transform, threads: availableParallelism() + 1, ringBytes: 2 ** 25, execArgv: ['--no-warnings'] });
    assert.deepEqual((okOf(reply).options as { execArgv: string[] }).execArgv, ['--no-warnings']);
    for (let i = 0; i < MAX_SERVED_ENGINES; i++) {
      const more = await engines.create({ transform, threads: 1 });
      assert.equal(more.error, undefined, JSON.stringify(more.error));
    }
  } finally {
    await engines.disconnect();
  }
});
