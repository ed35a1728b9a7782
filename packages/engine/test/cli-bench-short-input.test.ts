import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { bestByRule, markdownTable, minSteadyAcks } from './helpers/bench-output.js';
import { cliFixture, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';

// `tidemark bench` on inputs too short for some figures: the whole input in
// the read-ahead (200 records at 128 in flight), one record, only malformed
// lines. A figure that cannot be measured prints `–`, never 0, 0.00 or NaN;
// the best setting is ranked on wall msg/s, which every setting measures
// over all its messages; and with every record failed there is no best.
before(requireBuiltCli);

/** Each cell a number or `–`: never NaN, never empty (but best, and async/batch where there is no batch row to divide by). */
function wellFormed(rows: readonly Record<string, string>[]): void {
  for (const row of rows) {
    for (const [column, cell] of Object.entries(row)) {
      if (column === 'mode' || column === 'best' || (column === 'async/batch' && (row.mode === 'batch' || !rows.some((r) => r.mode === 'batch')))) continue;
      assert.ok(cell === '–' || /^\d+(\.\d+)?$/.test(cell), `${column} of ${row.mode} ${row.conc}: ${JSON.stringify(cell)}`);
    }
  }
}

async function writeInput(dir: string, lines: readonly string[]): Promise<string> {
  const path = join(dir, 'in.ndjson');
  await writeFile(path, lines.map((line) => `${line}\n`).join(''));
  return path;
}

test('200 records at concurrency 128: msg/s, busy share and async/batch print – (the window holds too few acks), and the best is ranked on wall msg/s', async (t) => {
  const dir = await tempDir(t, 'tidemark-bench-short-');
  const input = await writeInput(dir, Array.from({ length: 200 }, (_, id) => JSON.stringify({ value: { id, ms: 0 } })));
  const exit = await tidemark(['bench', '--transform', cliFixture('bench-skew.js'), '--input', input, '--concurrency', '128', '--threads', '1', '--no-report'], undefined, t);
  assert.equal(exit.code, 0, exit.stderr);
  assert.ok(200 < minSteadyAcks(128), 'the input cannot fill the window at 128');
  const rows = markdownTable(exit.stdout);
  wellFormed(rows);
  for (const row of rows) {
    assert.equal(row['msg/s'], '–', `${row.mode}: msg/s`);
    assert.equal(row['worker busy share'], '–', `${row.mode}: busy share, over the same window`);
    assert.ok(Number(row['wall msg/s']) > 0, `${row.mode}: wall msg/s`);
  }
  assert.equal(rows[0]?.['async/batch'], '–');
  assert.equal(rows.findIndex((row) => row.best === 'best'), bestByRule(rows), 'the best by the rule on the printed wall msg/s');
  assert.match(exit.stdout, /^rule: among the settings with the fewest failed records, the highest wall msg\/s wins;/m);
  assert.match(exit.stdout, /^msg\/s is shown where its window \(first read to last read\) holds at least 10 acks per slot/m);
});

test('one record: no NaN anywhere, lag – where no watermark was seen; plurals in the singular', async (t) => {
  const dir = await tempDir(t, 'tidemark-bench-one-');
  const input = await writeInput(dir, [JSON.stringify({ value: { id: 0, ms: 0 } })]);
  const report = join(dir, 'report.html');
  const exit = await tidemark(['bench', '--transform', cliFixture('bench-skew.js'), '--input', input, '--concurrency', '1', '--modes', 'async', '--threads', '1', '--report', report], undefined, t);
  assert.equal(exit.code, 0, exit.stderr);
  assert.ok(!exit.stdout.startsWith('\n'), 'no blank line first');
  assert.ok(!/NaN/.test(exit.stdout), exit.stdout);
  const rows = markdownTable(exit.stdout);
  wellFormed(rows);
  assert.equal(rows[0]?.messages, '1');
  assert.match(stderrLines(exit)[0] ?? '', /: 1 record; concurrency 1 in async mode; 1 setting, 1 run each;/);
  assert.match(exit.stdout, /^best: async at concurrency 1: the only setting/m);
  const html = await readFile(report, 'utf8');
  assert.ok(!/NaN/.test(html), 'no NaN in the report');
  assert.ok(!/\b1 settings\b|\b1 records\b/.test(html + exit.stdout + exit.stderr), 'no "1 settings" or "1 records"');
});

test('only malformed lines: every record failed everywhere, so there is no best setting, and JSON says none is', async (t) => {
  const dir = await tempDir(t, 'tidemark-bench-malformed-');
  const input = await writeInput(dir, ['not json', '{"x":1}', '[1,2]']);
  const args = ['bench', '--transform', cliFixture('bench-skew.js'), '--input', input, '--concurrency', '1,2', '--threads', '1', '--no-report'];
  const exit = await tidemark(args, undefined, t);
  assert.equal(exit.code, 0, exit.stderr);
  assert.ok(!/NaN/.test(exit.stdout), exit.stdout);
  const rows = markdownTable(exit.stdout);
  wellFormed(rows);
  for (const row of rows) assert.equal(row.failed, '3');
  assert.deepEqual(rows.map((row) => row.best), ['', '', '', ''], 'no row marked');
  assert.match(exit.stdout, /^best: none: every record failed in every setting, so no figure measures the transform\.$/m);
  const json = await tidemark([...args, '--json'], undefined, t);
  assert.equal(json.code, 0, json.stderr);
  const settings = JSON.parse(json.stdout) as { best: boolean; failed: number; lagP99: number | null }[];
  assert.deepEqual(settings.map((s) => s.best), [false, false, false, false]);
});
