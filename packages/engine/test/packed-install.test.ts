import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { command, repoRoot } from './helpers/command.js';

// What a user of the published packages does: the three packages packed with
// `pnpm pack`, installed with npm into a fresh project outside the workspace,
// then used from an ESM program, from TypeScript and through `npx tidemark`.
// Third-party dependencies come from the npm registry (or npm's cache);
// @tidemark/* must come from the tarballs only.

const packages = ['watermark', 'workers', 'engine'] as const;
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly exports?: unknown;
  readonly bin?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;
const repoPackage = (name: string) => readJson<PackageJson>(join(repoRoot, 'packages', name, 'package.json'));

/** The project's transform module: squares `n`, throws on a negative one. */
const transformModule = `export default (value) => {
  if (value.n < 0) throw new RangeError(\`negative: \${value.n}\`);
  return { n: value.n, square: value.n * value.n };
};
`;

let root = '';
let project = '';
/** The tarball of each package, by package name (`@tidemark/engine`). */
const tarballs = new Map<string, string>();

before(
  async () => {
    for (const name of packages) {
      const dist = join(repoRoot, 'packages', name, 'dist');
      assert.ok(existsSync(dist), `${dist} is missing: run \`pnpm build\` first (pnpm pack packs the built files)`);
    }
    root = await mkdtemp(join(tmpdir(), 'tidemark-install-'));
    const packs = join(root, 'packs');
    project = join(root, 'project');
    await mkdir(project);
    // The README's command.
    await command('pnpm', ['-r', '--filter', './packages/*', 'pack', '--pack-destination', packs], repoRoot, 120_000);
    for (const name of packages) {
      const tarball = join(packs, `tidemark-${name}-${(await repoPackage(name)).version}.tgz`);
      assert.ok(existsSync(tarball), `pnpm pack wrote no ${tarball}`);
      tarballs.set(`@tidemark/${name}`, tarball);
    }
    await command('npm', ['init', '-y'], project, 30_000);
    // A TypeScript user has Node's types installed; the engine's types refer to them.
    const typesNode = (await readJson<PackageJson>(join(repoRoot, 'package.json'))).devDependencies?.['@types/node'];
    assert.ok(typesNode !== undefined, 'the root package.json names an @types/node version');
    await command(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.values(), `@types/node@${typesNode}`],
      project,
      240_000,
    );
    await writeFile(join(project, 'transform.mjs'), transformModule);
  },
  { timeout: 360_000 },
);

after(async () => {
  if (root !== '') await rm(root, { recursive: true, force: true });
});

test('every @tidemark package was installed from its tarball, none from the registry', async () => {
  const lock = await readJson<{ packages: Record<string, { resolved?: string; integrity?: string }> }>(
    join(project, 'package-lock.json'),
  );
  const installed = Object.keys(lock.packages).filter((path) => /(^|\/)node_modules\/@tidemark\//.test(path));
  assert.deepEqual(installed.sort(), [...tarballs.keys()].map((name) => `node_modules/${name}`).sort());
  for (const [name, tarball] of tarballs) {
    const entry = lock.packages[`node_modules/${name}`];
    const sha512 = `sha512-${createHash('sha512').update(await readFile(tarball)).digest('base64')}`;
    assert.ok(entry?.resolved?.startsWith('file:') === true, `${name} resolved from ${String(entry?.resolved)}`);
    assert.ok(entry.resolved.endsWith(tarball.slice(tarball.lastIndexOf('/'))), `${name} resolved from ${entry.resolved}`);
    assert.equal(entry.integrity, sha512, `${name} is the packed tarball`);
  }
});

test('the packed package.json files name versions, not workspace:, and ship every file they point to', async () => {
  for (const name of packages) {
    const dir = join(project, 'node_modules/@tidemark', name);
    const packed = await readJson<PackageJson>(join(dir, 'package.json'));
    assert.equal(packed.version, (await repoPackage(name)).version);
    for (const [dependency, range] of Object.entries(packed.dependencies ?? {})) {
      assert.ok(!range.startsWith('workspace:'), `${packed.name} depends on ${dependency}@${range}`);
      if (dependency.startsWith('@tidemark/')) {
        assert.equal(range, (await repoPackage(dependency.slice('@tidemark/'.length))).version, `${packed.name} → ${dependency}`);
      }
    }
    const targets = [...exportTargets(packed.exports), ...Object.values(packed.bin ?? {})];
    assert.ok(targets.length > 0, `${packed.name} exports something`);
    for (const target of targets) assert.ok(existsSync(join(dir, target)), `${packed.name} points to ${target}, not in the tarball`);
    // Stack traces (--enable-source-maps) and debuggers follow the shipped source maps.
    const maps = (await readdir(join(dir, 'dist'), { recursive: true })).filter((file) => file.endsWith('.js.map'));
    assert.ok(maps.length > 0, `${packed.name} ships source maps`);
    for (const map of maps) {
      const { sources } = await readJson<{ sources: string[] }>(join(dir, 'dist', map));
      for (const source of sources) {
        const path = join(dir, 'dist', dirname(map), source);
        const why = `not in the tarball (or dist/${map} is a stale build output: build from an empty dist)`;
        assert.ok(existsSync(path), `${packed.name}'s dist/${map} points to ${relative(dir, path)}, ${why}`);
      }
    }
  }
});

test('an ESM program in the project runs messages through a transform file of its own', async () => {
  await writeFile(
    join(project, 'main.mjs'),
    `import { Engine } from '@tidemark/engine';

const engine = new Engine({ transform: new URL('./transform.mjs', import.meta.url), threads: 1, concurrency: 4, retry: { attempts: 1 } });
const records = [];
try {
  for await (const record of engine.process([{ value: { n: 1 } }, { value: { n: 2 } }, { value: { n: -3 } }, { value: { n: 4 } }])) {
    records.push(record.kind === 'output' ? { offset: record.offset, value: record.value } : { offset: record.offset, code: record.error.code });
  }
} finally {
  await engine.close();
}
console.log(JSON.stringify(records));
`,
  );
  const { stdout } = await command(process.execPath, ['main.mjs'], project, 60_000);
  const records = (JSON.parse(stdout) as { offset: number }[]).sort((a, b) => a.offset - b.offset);
  assert.deepEqual(records, [
    { offset: 0, value: { n: 1, square: 1 } },
    { offset: 1, value: { n: 2, square: 4 } },
    { offset: 2, code: 'ERR_TIDEMARK_TRANSFORM' },
    { offset: 3, value: { n: 4, square: 16 } },
  ]);
});

test('the published types resolve for a strict nodenext TypeScript file', async () => {
  await writeFile(
    join(project, 'check.mts'),
    `import { Engine, TransformError } from '@tidemark/engine';
import type { EngineOptions, EngineRecord, Transform } from '@tidemark/engine';
import { percentile, skewTable } from '@tidemark/engine/workload';

export const square: Transform<{ n: number }, { square: number }> = (value) => ({ square: value.n * value.n });
const options: EngineOptions = { transform: new URL('./transform.mjs', import.meta.url), concurrency: 4 };
const engine = new Engine(options);
for await (const record of engine.process([{ value: { n: 2 } }])) {
  const seen: EngineRecord = record;
  if (seen.kind === 'failed' && seen.error instanceof TransformError) console.log(seen.error.errorName);
}
await engine.close();
const p99: number = percentile([1, 2, 3], 99);
console.log(p99, typeof skewTable);
// The types are real, not \`any\`: a wrong option does not compile.
// @ts-expect-error concurrency is a number
new Engine({ transform: 'x.mjs', concurrency: 'many' });
`,
  );
  await command(
    process.execPath,
    [tsc, '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--strict', 'check.mts'],
    project,
    90_000,
  );
});

test('npx tidemark --version prints the engine version, and npx tidemark run processes an NDJSON file', async () => {
  const { version } = await repoPackage('engine');
  // --yes=false: run the installed bin, never fetch a package named tidemark
  // (`--no`, its short form, would take `tidemark` as its value).
  const npx = (args: readonly string[]) => command('npx', ['--yes=false', 'tidemark', ...args], project, 60_000);
  const printed = await npx(['--version']);
  assert.equal(printed.stdout, `${version}\n`);

  await writeFile(join(project, 'in.ndjson'), ['{"value":{"n":5}}', '{"value":{"n":-1}}', '{"value":{"n":6}}', ''].join('\n'));
  const args = ['run', '--transform', './transform.mjs', '--input', 'in.ndjson', '--output', 'out.ndjson', '--attempts', '1'];
  await npx([...args, '--threads', '1', '--quiet']);
  const lines = (await readFile(join(project, 'out.ndjson'), 'utf8')).split('\n');
  assert.equal(lines.pop(), '', 'the output ends with a newline');
  const records = lines
    .map((line) => JSON.parse(line) as { kind: string; offset: number; value?: unknown; error?: { code: string } })
    .sort((a, b) => a.offset - b.offset)
    .map(({ kind, offset, value, error }) => (kind === 'output' ? { kind, offset, value } : { kind, offset, code: error?.code }));
  assert.deepEqual(records, [
    { kind: 'output', offset: 0, value: { n: 5, square: 25 } },
    { kind: 'failed', offset: 1, code: 'ERR_TIDEMARK_TRANSFORM' },
    { kind: 'output', offset: 2, value: { n: 6, square: 36 } },
  ]);
});

/** Every file path in a package.json `exports` field (conditions and subpaths). */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}
