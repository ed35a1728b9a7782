import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { cliFixture as fixture, parseNdjson, requireBuiltCli, tempDir, tidemark } from './helpers/cli.js';

// `tidemark run --max-out-of-orderness <ms>`: a record is `late` when its
// event time is below (the largest event time read before it) - ms. The
// event times are given, so which records are late is fixed by the flag.
// (`--idle-after` an hour: an idle advance in the middle of reading the
// file, which would raise the watermark, cannot happen whatever the speed.)
before(requireBuiltCli);

const eventTimes = [1000, 5000, 4200, 3999, 4000, 6000, 4999, 5000, 2400];

async function lateOffsets(t: TestContext, extra: readonly string[]): Promise<{ late: number[]; summary: string }> {
  const dir = await tempDir(t);
  const input = join(dir, 'in.ndjson');
  await writeFile(input, eventTimes.map((eventTime, i) => `${JSON.stringify({ value: `v${i}`, eventTime })}\n`).join(''));
  const exit = await tidemark([
    'run',
    '--transform',
    fixture('cli-upper.js'),
    '--input',
    input,
    '--threads',
    '1',
    '--idle-after',
    '3600000',
    '--quiet',
    ...extra,
  ]);
  assert.equal(exit.code, 0, exit.stderr);
  const records = parseNdjson(exit.stdout).sort((a, b) => a.offset - b.offset);
  assert.deepEqual(
    records.map((record) => [record.offset, record.kind, record.value, record.eventTime]),
    eventTimes.map((eventTime, i) => [i, 'output', `V${i}`, eventTime]),
  );
  for (const record of records) {
    const late = (record as { late?: unknown }).late;
    assert.ok(late === undefined || late === true, `offset ${record.offset}: late is true or absent`);
  }
  return {
    late: records.filter((record) => (record as { late?: boolean }).late === true).map((record) => record.offset),
    summary: exit.stderr,
  };
}

test('run --max-out-of-orderness: records more than that behind the largest event time are flagged late', async (t) => {
  // Watermark (max seen - 1000): 0, 4000 from offset 1, 5000 from offset 5.
  // Late: 3999 (offset 3), 4999 (offset 6) and 2400 (offset 8); 4000 and 5000 are on time.
  const { late, summary } = await lateOffsets(t, ['--max-out-of-orderness', '1000']);
  assert.deepEqual(late, [3, 6, 8]);
  assert.match(summary, /^tidemark: 9 read, 9 outputs, 0 failed \(0 malformed, 0 too large\), 0 dropped, 3 late, 0 retried in /);
});

test('run --max-out-of-orderness 2600: a wider bound flags fewer records', async (t) => {
  // Watermark: 2400 from offset 1, 3400 from offset 5: only 2400 (offset 8) is below it.
  const { late, summary } = await lateOffsets(t, ['--max-out-of-orderness', '2600']);
  assert.deepEqual(late, [8]);
  assert.match(summary, / 1 late, /);
});

test('run without --max-out-of-orderness: the bound is 0, every record below the largest event time is late', async (t) => {
  const { late, summary } = await lateOffsets(t, []);
  assert.deepEqual(late, [2, 3, 4, 6, 7, 8]);
  assert.match(summary, / 6 late, /);
});
