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

// `tidemark demo` from the built CLI. Its timings depend on the machine, so
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
function demo(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [cli, 'demo', ...args], { encoding: 'utf8' });
}

/** The rows of the Markdown table in `text`, as records keyed by the header cells. */
function markdownTable(text: string): Record<string, string>[] {
  const rows = text
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
  const [header, rule, ...body] = rows;
  assert.ok(header !== undefined && rule !== undefined, `a table with a header in:\n${text}`);
  assert.ok(rule.every((cell) => /^:?-+:?$/.test(cell)), 'the second row is the alignment rule');
  return body.map((cells) => {
    assert.equal(cells.length, header.length, 'every row has a cell per column');
    return Object.fromEntries(header.map((name, i) => [name, cells[i] ?? '']));
  });
}

/** `a / b` where `a` and `b` are known only to `digits` decimals: the range the true ratio lies in. */
function ratioRange(a: string, b: string, digits: number): [number, number] {
  const half = 0.5 * 10 ** -digits;
  return [(Number(a) - half) / (Number(b) + half), (Number(a) + half) / (Number(b) - half)];
}

/** `printed` (to `digits` decimals) is the rounding of some value in `[low, high]`. */
function printedWithin(printed: string, [low, high]: [number, number], digits: number, what: string): void {
  const half = 0.5 * 10 ** -digits;
  const value = Number(printed);
  assert.ok(value >= low - half - 1e-12 && value <= high + half + 1e-12, `${what}: printed ${printed}, true value in [${low}, ${high}]`);
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
  const sentence = /async mode moved ([\d.]+)x the messages per second of batch mode \((\d+)% vs (\d+)% of the oracle's (\d+) msg\/s/.exec(stdout);
  assert.ok(sentence !== null, stdout);
  assert.equal(sentence[1], async['async/batch']);
  assert.equal(sentence[4], async['oracle msg/s']);
  assert.match(stderr, /^tidemark demo: 200 messages, lognormal latencies \(mean 2 ms, seed 42\), await transform, 8 in flight/);
  assert.match(stderr, new RegExp(`oracle: ${async['oracle msg/s']} msg/s`));
});

test('demo --json prints the batch and async results, their figures tied to the scenario and to each other', async () => {
  const { stdout } = await demo(['--json', '--no-report', '--messages', '100', '--concurrency', '4', '--mean-ms', '1']);
  const results: unknown = JSON.parse(stdout);
  assert.ok(Array.isArray(results) && results.length === 2, stdout);
  type Summary = Record<'messages' | 'concurrency' | 'threads' | 'failed' | 'throughput' | 'oracleThroughput' | 'efficiency' | 'wallThroughput' | 'seconds' | 'sampledMeanMs' | 'seed', number> & {
    mode: string;
  };
  const [batch, async] = results as [Summary, Summary];
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
