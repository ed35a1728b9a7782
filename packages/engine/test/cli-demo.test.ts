import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { mean, skewLatencies } from '../src/workload/index.js';
import { bestByRule, markdownTable, printedWithin, ratioRange } from './helpers/bench-output.js';

// `tidemark demo` from the built CLI: `tidemark bench` on the built-in workload. Its timings depend on the machine, so
// none is bounded; what the scenario determines is checked by value (counts,
// threads, the seeded mean), and so is the arithmetic that ties the printed
// figures together (efficiency = msg/s / oracle, async/batch = the ratio of
// the two rows, wall msg/s = messages / seconds).
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const run = promisify(execFile);

before(() => {
  assert.ok(existsSync(cli), `${cli} is missing: run \`pnpm build\` first`);
});

/** Runs the demo; execFile rejects on a non-zero exit, with stderr in the error. */
function demo(args: readonly string[], command = 'demo'): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [cli, command, ...args], { encoding: 'utf8' });
}

test('demo prints a Markdown table whose figures agree with the scenario and with each other, and writes the report', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tidemark-demo-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const report = join(dir, 'report.html');
  const { stdout, stderr } = await demo(['--messages', '200', '--concurrency', '8', '--mean-ms', '2', '--report', report]);
  const html = await readFile(report, 'utf8');
  assert.match(html, /^<!doctype html>/i);
  assert.ok((html.match(/<svg/g) ?? []).length >= 4, 'the report has its charts');
  assert.match(html, /oracle msg\/s/, 'the report shows the oracle');
  assert.match(html, /data-chart="throughput-vs-concurrency"/, 'and throughput against concurrency');
  assert.match(stderr, /report: .*report\.html/);
  const rows = markdownTable(stdout);
  assert.deepEqual(
    rows.map((row) => row.mode),
    ['async', 'batch'],
  );
  const [async, batch] = rows as [Record<string, string>, Record<string, string>];
  // The demo's defaults: the await family, lognormal latencies, seed 42.
  const sampled = mean(skewLatencies({ distribution: 'lognormal', meanMs: 2, messages: 200, seed: 42 }));
  for (const row of rows) {
    assert.equal(row.family, 'await');
    assert.equal(row.distribution, 'lognormal');
    assert.equal(row.conc, '8');
    assert.equal(row.threads, String(availableParallelism()), 'the await family runs one thread per core');
    const means = row['mean ms (measured / oracle / sampled)']?.split(' / ');
    assert.equal(means?.length, 3);
    assert.equal(means[2], sampled.toFixed(2), 'the sampled mean is the seeded latencies\' mean');
    printedWithin(row.efficiency ?? '', ratioRange(row['msg/s'] ?? '', row['oracle msg/s'] ?? '', 0), 3, `${row.mode} efficiency = msg/s / oracle msg/s`);
  }
  assert.equal(async['oracle msg/s'], batch['oracle msg/s'], 'async and batch are divided by the same oracle run');
  assert.equal(async['mean ms (measured / oracle / sampled)']?.split(' / ')[1], batch['mean ms (measured / oracle / sampled)']?.split(' / ')[1]);
  printedWithin(async['async/batch'] ?? '', ratioRange(async['msg/s'] ?? '', batch['msg/s'] ?? '', 0), 2, 'async/batch = async msg/s / batch msg/s');
  assert.equal(batch['async/batch'], '', 'the ratio is on the async row only');
  const sentence = /^at concurrency 8, async mode moved ([\d.]+)x the messages per second of batch mode \((\d+)% vs (\d+)% of the oracle's (\d+) msg\/s/m.exec(stdout);
  assert.ok(sentence !== null, stdout);
  assert.equal(sentence[1], async['async/batch']);
  assert.equal(sentence[4], async['oracle msg/s']);
  assert.deepEqual(
    rows.map((row) => row.best),
    rows.map((_, i) => (i === bestByRule(rows) ? 'best' : '')),
    'the best mark follows the stated rule on the printed figures',
  );
  assert.match(stdout, /^best: (async|batch) at concurrency 8: /m);
  assert.match(stderr, /^tidemark bench \(built-in workload\): 200 messages, lognormal latencies \(mean 2 ms, seed 42\), await transform, 8 in flight/);
  assert.match(stderr, new RegExp(`oracle at concurrency 8: ${async['oracle msg/s']} msg/s`));
  assert.match(stderr, /^ {2}\[1\/2\] async at concurrency 8\.\.\.$/m, 'progress: which setting, n of N');
});

test('bench --json without --transform prints the async and batch results of the built-in workload, their figures tied to the scenario and to each other', async () => {
  const { stdout } = await demo(['--json', '--no-report', '--messages', '100', '--concurrency', '4', '--mean-ms', '1'], 'bench');
  const results: unknown = JSON.parse(stdout);
  assert.ok(Array.isArray(results) && results.length === 2, stdout);
  type Summary = Record<'messages' | 'concurrency' | 'threads' | 'failed' | 'throughput' | 'oracleThroughput' | 'efficiency' | 'wallThroughput' | 'seconds' | 'sampledMeanMs' | 'seed', number> & {
    mode: string;
    best: boolean;
  };
  const [async, batch] = results as [Summary, Summary];
  assert.equal([async, batch].filter((r) => r.best).length, 1, 'one best setting');
  assert.equal(batch.mode, 'batch');
  assert.equal(async.mode, 'async');
  const sampled = mean(skewLatencies({ distribution: 'lognormal', meanMs: 1, messages: 100, seed: 42 }));
  for (const result of [batch, async]) {
    assert.equal(result.messages, 100);
    assert.equal(result.concurrency, 4);
    assert.equal(result.threads, availableParallelism());
    assert.equal(result.seed, 42);
    assert.equal(result.failed, 0);
    assert.equal(result.sampledMeanMs, sampled, 'the same seeded latencies in both modes');
    assert.equal(result.efficiency, result.throughput / result.oracleThroughput);
    assert.ok(Math.abs(result.wallThroughput - result.messages / result.seconds) <= 1e-9 * result.wallThroughput, `wall msg/s = messages / seconds in ${result.mode}`);
  }
  assert.equal(async.oracleThroughput, batch.oracleThroughput, 'one oracle run for both modes');
});
