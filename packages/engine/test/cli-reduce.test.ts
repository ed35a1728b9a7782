import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { windowSpec } from '../src/cli/parse.js';
import { parseNdjson, requireBuiltCli, tempDir, tidemark } from './helpers/cli.js';

before(requireBuiltCli);

test('--window: the three forms, and anything else refused saying what it expects', () => {
  assert.deepEqual(windowSpec('tumbling:60000'), { tumbling: 60000 });
  assert.deepEqual(windowSpec(' sliding: 60000 / 10000 '), { sliding: { size: 60000, every: 10000 } });
  assert.deepEqual(windowSpec('session:30000'), { session: { gap: 30000 } });
  for (const text of ['', 'tumbling', 'tumbling:0', 'tumbling:-5', 'tumbling:1/2', 'sliding:10', 'session:x', 'hopping:5', 'tumbling:Infinity', 'tumbling:0x10', 'tumbling:1e3']) {
    assert.throws(() => windowSpec(text), (error: unknown) => error instanceof InvalidArgumentError && /tumbling:<ms>/.test(error.message), text);
  }
});

test('run --reduce --window: one result line per key and window, with the window; every line in one', async (t) => {
  const dir = await tempDir(t);
  const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ key: `k${i % 2}`, eventTime: i, value: 1 }));
  await writeFile(join(dir, 'in.ndjson'), `${lines.join('\n')}\n`);
  const exit = await tidemark(['run', '--reduce', 'test/fixtures/reduce/sum.js', '--window', 'tumbling:10', '--input', join(dir, 'in.ndjson'), '--output', join(dir, 'out.ndjson'), '--threads', '2']);
  assert.equal(exit.code, 0, exit.stderr);
  const records = parseNdjson(await readFile(join(dir, 'out.ndjson'), 'utf8')) as unknown as { key: string; window: { start: number; end: number }; value: number; eventTime: number }[];
  const got = records.map((r) => `${r.key} ${r.window.start}-${r.window.end} ${r.value} ${r.eventTime}`).sort();
  const want = [0, 10, 20, 30].flatMap((start) => ['k0', 'k1'].map((key) => `${key} ${start}-${start + 10} 5 ${start + 9}`)).sort();
  assert.deepEqual(got, want);
});

test('run --reduce without --window is refused naming --window; --reduce with --transform is refused', async () => {
  const missing = await tidemark(['run', '--reduce', 'test/fixtures/reduce/sum.js', '--input', '/dev/null']);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /--window/);
  const both = await tidemark(['run', '--reduce', 'test/fixtures/reduce/sum.js', '--transform', 'test/fixtures/identity.js', '--window', 'tumbling:5']);
  assert.equal(both.code, 2, both.stderr);
  assert.match(both.stderr, /cannot be used with/);
});
