import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { markdownTable } from './helpers/bench-output.js';
import { cliFixture, requireBuiltCli, tempDir, tidemark } from './helpers/cli.js';

// `--quiet` prints only the results: nothing on stderr (no progress, no log
// lines, not the report's path), and on stdout the table and the lines that
// read it.
before(requireBuiltCli);

/** Every line of `stdout` is blank, a table row, or one of the result lines. */
function onlyResults(stdout: string, results: RegExp): void {
  for (const line of stdout.split('\n')) {
    assert.ok(line === '' || line.startsWith('|') || results.test(line), `a result line: ${JSON.stringify(line)}`);
  }
}

test('bench --quiet on a transform prints the table and its result lines only, and still writes the report', async (t) => {
  const dir = await tempDir(t, 'tidemark-bench-quiet-');
  const report = join(dir, 'report.html');
  const exit = await tidemark(
    ['bench', '--quiet', '--transform', cliFixture('bench-skew.js'), '--input', cliFixture('bench-skew.ndjson'), '--concurrency', '4', '--report', report],
    undefined,
    t,
  );
  assert.equal(exit.code, 0, exit.stderr);
  assert.equal(exit.stderr, '', 'nothing on stderr');
  assert.deepEqual(markdownTable(exit.stdout).map((row) => row.mode), ['async', 'batch']);
  onlyResults(exit.stdout, /^(best: |rule: |msg\/s is shown where |No oracle or efficiency columns|1 input line is not a record|The eventTime of \d+ records was left out|Note: )/);
  assert.ok(existsSync(report), 'the report is written');
});

test('demo --quiet (the built-in workload) prints only the results', async (t) => {
  const exit = await tidemark(['demo', '--quiet', '--messages', '100', '--concurrency', '4', '--mean-ms', '1', '--no-report'], undefined, t);
  assert.equal(exit.code, 0, exit.stderr);
  assert.equal(exit.stderr, '', 'nothing on stderr');
  assert.deepEqual(markdownTable(exit.stdout).map((row) => row.mode), ['async', 'batch']);
  onlyResults(exit.stdout, /^(best: |rule: |msg\/s is shown where |at concurrency 4, async mode moved )/);
});
