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

test('bench --repeat 2 --json: each figure printed is the median of the two runs it lists, counts stay whole', async (t) => {
  const input = cliFixture('bench-skew.ndjson');
  const records = (await readFile(input, 'utf8')).split('\n').filter((line) => line.trim() !== '').length;
  const exit = await tidemark(
    ['bench', '--transform', cliFixture('bench-skew.js'), '--input', input, '--concurrency', '2', '--modes', 'async', '--threads', '1', '--repeat', '2', '--json', '--no-report'],
    undefined,
    t,
  );
  assert.equal(exit.code, 0, exit.stderr);
  type Figures = Record<string, number | null>;
  const [setting, ...others] = JSON.parse(exit.stdout) as (Figures & { repeats: Figures[] })[];
  assert.ok(setting !== undefined && others.length === 0, exit.stdout);
  assert.equal(setting.repeats.length, 2, 'each run of the setting, listed');
  const figures = ['throughput', 'wallThroughput', 'workerBusyShare', 'latencyP50', 'latencyP99', 'lagP50', 'lagP99', 'seconds'];
  for (const figure of figures) {
    const values: number[] = setting.repeats.map((run) => run[figure]).filter((v): v is number => typeof v === 'number');
    assert.equal(values.length, 2, `${figure} in each run`);
    const [a, b] = values as [number, number];
    assert.ok(Math.abs((setting[figure] as number) - (a + b) / 2) <= 1e-9 * Math.abs(a + b), `${figure}: ${setting[figure]} is the median of ${a} and ${b}`);
  }
  for (const count of ['messages', 'failed', 'steadyAcked']) {
    const value = setting[count] as number;
    assert.ok(Number.isInteger(value), `${count} is a whole number: ${value}`);
    assert.equal(value, Math.min(...setting.repeats.map((run) => run[count] as number)), `${count}: the lower median of two`);
  }
  assert.equal(setting.messages, records);
  assert.equal(setting.failed, 1);
});
