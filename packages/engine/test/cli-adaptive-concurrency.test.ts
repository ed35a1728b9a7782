import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { parseNdjson, requireBuiltCli, tempDir, tidemark } from './helpers/cli.js';

before(requireBuiltCli);

// `tidemark run --concurrency min..max` turns on the adaptive controller,
// as `concurrency: { min, max }` does; a malformed range is a usage error.

test('run --concurrency 1..16: every line comes out under the adaptive controller', async (t) => {
  const dir = await tempDir(t);
  const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ value: `record ${i}` }));
  await writeFile(join(dir, 'in.ndjson'), `${lines.join('\n')}\n`);
  const exit = await tidemark(['run', '--transform', 'test/fixtures/cli-upper.js', '--input', join(dir, 'in.ndjson'), '--output', join(dir, 'out.ndjson'), '--threads', '1', '--concurrency', '1..16']);
  assert.equal(exit.code, 0, exit.stderr);
  const records = parseNdjson(await readFile(join(dir, 'out.ndjson'), 'utf8'));
  assert.deepEqual(records.map((r) => r.offset).sort((a, b) => a - b), lines.map((_, i) => i));
  assert.ok(records.every((r) => r.kind === 'output'));
});

test('run --concurrency with a bad range says what it expects; so does a reversed one', async () => {
  const malformed = await tidemark(['run', '--transform', 'test/fixtures/cli-upper.js', '--concurrency', '1..x']);
  assert.equal(malformed.code, 2, malformed.stderr);
  assert.match(malformed.stderr, /min\.\.max/);
  const reversed = await tidemark(['run', '--transform', 'test/fixtures/cli-upper.js', '--concurrency', '9..2']);
  assert.equal(reversed.code, 2, reversed.stderr);
  assert.match(reversed.stderr, /--concurrency.*1 <= min <= max/);
});
