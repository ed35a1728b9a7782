import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, test } from 'node:test';
import { bestByRule, markdownTable } from './helpers/bench-output.js';
import { cliFixture, requireBuiltCli, stderrLines, tidemark } from './helpers/cli.js';

// `tidemark bench --repeat 3`: every setting three times, the order
// reversed on the second pass (the progress lines show which setting ran
// when), and one row per setting whose figures are medians, as it says.
before(requireBuiltCli);

test('bench --repeat 3 runs the settings forward, reversed, forward and prints the medians, saying so', async (t) => {
  const input = cliFixture('bench-skew.ndjson');
  const records = (await readFile(input, 'utf8')).split('\n').filter((line) => line.trim() !== '').length;
  const exit = await tidemark(
    ['bench', '--transform', cliFixture('bench-skew.js'), '--input', input, '--concurrency', '2,4', '--threads', '1', '--repeat', '3', '--no-report'],
    undefined,
    t,
  );
  assert.equal(exit.code, 0, exit.stderr);
  const settings = ['async at concurrency 2', 'batch at concurrency 2', 'async at concurrency 4', 'batch at concurrency 4'];
  const expected = [...settings.map((s) => `${s} (run 1 of 3)`), ...[...settings].reverse().map((s) => `${s} (run 2 of 3)`), ...settings.map((s) => `${s} (run 3 of 3)`)];
  const started = stderrLines(exit).flatMap((line) => {
    const match = /^ {2}\[(\d+)\/12\] (.*)\.\.\.$/.exec(line);
    return match === null ? [] : [`${match[1]} ${match[2]}`];
  });
  assert.deepEqual(started, expected.map((s, i) => `${i + 1} ${s}`), 'which setting, n of N, in alternating order');
  assert.match(exit.stdout, /^Every figure is the median of 3 runs of its setting \(the settings' order reversed on every other run\)\.$/m);
  const rows = markdownTable(exit.stdout);
  assert.deepEqual(rows.map((row) => `${row.mode} ${row.conc}`), ['async 2', 'batch 2', 'async 4', 'batch 4'], 'one row per setting');
  for (const row of rows) {
    assert.equal(row.messages, String(records));
    assert.equal(row.failed, '1');
    assert.equal(row.threads, '1');
  }
  assert.equal(rows.findIndex((row) => row.best === 'best'), bestByRule(rows), 'the best mark follows the rule on the medians as printed');
});
