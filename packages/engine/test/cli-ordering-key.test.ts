import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { parseNdjson, requireBuiltCli, tempDir, tidemark } from './helpers/cli.js';

before(requireBuiltCli);

test('run --ordering key: each key\'s outputs in input order, every line once', async (t) => {
  const dir = await tempDir(t);
  // Later lines of a key take less time: unordered, they would overtake the earlier ones.
  const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify({ key: `k${i % 3}`, value: { ms: (60 - i) % 7 } }));
  await writeFile(join(dir, 'in.ndjson'), `${lines.join('\n')}\n`);
  const exit = await tidemark(['run', '--transform', 'test/fixtures/await-ms.js', '--input', join(dir, 'in.ndjson'), '--output', join(dir, 'out.ndjson'), '--threads', '2', '--concurrency', '8', '--ordering', 'key']);
  assert.equal(exit.code, 0, exit.stderr);
  const records = parseNdjson(await readFile(join(dir, 'out.ndjson'), 'utf8'));
  assert.deepEqual(records.map((r) => r.offset).sort((a, b) => a - b), [...Array(60).keys()]);
  for (const key of ['k0', 'k1', 'k2']) {
    const offsets = records.filter((r) => r.key === key).map((r) => r.offset);
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), `${key} out of order`);
  }
});

test('run: --ordering and --ordered together are refused', async () => {
  const exit = await tidemark(['run', '--transform', 'test/fixtures/identity.js', '--ordering', 'key', '--ordered']);
  assert.equal(exit.code, 2, exit.stderr);
  assert.match(exit.stderr, /--ordering.*cannot be used with.*--ordered|--ordered.*cannot be used with.*--ordering/);
});
