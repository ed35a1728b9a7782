import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cliFixture as fixture, parseNdjson, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';

// A transform returns what JSON cannot encode (a BigInt, a circular object):
// `tidemark run` writes a failed record with ERR_TIDEMARK_UNWRITABLE_OUTPUT
// in its place (in the --dead-letter file when given), counts it in the
// summary, and goes on: every line accounted for, no stack trace, exit 0.
before(requireBuiltCli);

const input = ['a', 'bigint', 'b', 'circular', 'c'].map((value) => JSON.stringify({ value })).join('\n') + '\n';
const summary = /^tidemark: 5 read, 3 outputs, 2 failed \(0 malformed, 0 too large, 2 unwritable\), 0 dropped, 0 late, 0 retried in [\d.]+ s$/;

test('run: an output JSON cannot encode becomes a failed record in its place, and the run goes on', async (t) => {
  const exit = await tidemark(['run', '--transform', fixture('cli-unwritable.js'), '--ordered', '--quiet'], input, t);
  assert.equal(exit.code, 0, exit.stderr);
  assert.doesNotMatch(exit.stderr, /^\s+at /m, 'no stack trace');
  const records = parseNdjson(exit.stdout);
  assert.deepEqual(
    records.map((record) => [record.kind, record.offset, record.value ?? record.error?.code]),
    [
      ['output', 0, 'a'],
      ['failed', 1, 'ERR_TIDEMARK_UNWRITABLE_OUTPUT'],
      ['output', 2, 'b'],
      ['failed', 3, 'ERR_TIDEMARK_UNWRITABLE_OUTPUT'],
      ['output', 4, 'c'],
    ],
  );
  assert.match(records[1]?.error?.message ?? '', /^the output \{ n: 10n \} cannot be written as JSON \(.*BigInt.*\)$/);
  assert.match(records[3]?.error?.message ?? '', /circular/);
  assert.deepEqual(stderrLines(exit).length, 1, exit.stderr);
  assert.match(stderrLines(exit)[0] ?? '', summary);
});

test('run --dead-letter: the failed record for an unwritable output goes to the dead-letter file', async (t) => {
  const dir = await tempDir(t);
  const deadLetter = join(dir, 'failed.ndjson');
  const exit = await tidemark(['run', '--transform', fixture('cli-unwritable.js'), '--dead-letter', deadLetter, '--quiet'], input, t);
  assert.equal(exit.code, 0, exit.stderr);
  assert.deepEqual(parseNdjson(exit.stdout).map((record) => record.value).sort(), ['a', 'b', 'c']);
  const failed = parseNdjson(await readFile(deadLetter, 'utf8'));
  assert.deepEqual(failed.map((record) => [record.offset, record.error?.code]).sort(), [
    [1, 'ERR_TIDEMARK_UNWRITABLE_OUTPUT'],
    [3, 'ERR_TIDEMARK_UNWRITABLE_OUTPUT'],
  ]);
  assert.deepEqual(stderrLines(exit).slice(0, -1), [`tidemark: 2 failed records written to ${deadLetter}`]);
  assert.match(stderrLines(exit).at(-1) ?? '', summary);
});
