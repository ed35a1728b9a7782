// `pnpm bench:gzip`: real CPU-bound, skewed work (gzip -9 of real files from node_modules)
// through the engine and through tinypool's and piscina's `run()` driven by as many lanes as
// the engine has messages in flight. Rounds alternate which contender goes first; the table
// shows medians, the ratio over tinypool and its spread. Prints Markdown, writes JSON; exits 1
// when the engine with `lookahead` (the setting for CPU-bound transforms) is below tinypool at
// some concurrency, 2 on bad arguments or a corpus too small.
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { markdownTable } from 'markdown-table';
import { checkTable } from './check.js';
import { distribution } from './distribution.js';
import { CorpusTooSmallError, loadCorpus } from './gzip-corpus.js';
import type { Corpus } from './gzip-corpus.js';
import { contenders, gzipRun, warmupFiles } from './gzip-contenders.js';
import type { GzipRun } from './gzip-contenders.js';
import { ratioChecks, roundOrder, summarize } from './gzip-summary.js';
import { machine } from './machine.js';
import gzip from './workers/gzip.js';
import { benchArgs } from './cli-args.js';

const { values } = parseArgs({
  args: benchArgs(),
  options: {
    files: { type: 'string', default: '4000' },
    runs: { type: 'string', default: '3' },
    out: { type: 'string', default: new URL('../results', import.meta.url).pathname },
  },
});
const fileCount = Number(values.files);
const rounds = Number(values.runs);
for (const [flag, value, min] of [['--files', fileCount, 10], ['--runs', rounds, 1]] as const) {
  if (!(value >= min) || !Number.isInteger(value)) {
    console.error(`bench:gzip: ${flag} must be an integer from ${min} up, got ${flag === '--files' ? values.files : values.runs}`);
    process.exit(2);
  }
}
const concurrencies = [2, 4, 8];
const threads = availableParallelism();
const host = machine();
const progress = (line: string) => console.error(`  ${line}`);
const fmt = (n: number) => Math.round(n).toLocaleString('en');
// The machine may be shared: the 1-minute load average before anything runs shows whether
// something else was busy (this benchmark itself keeps up to threads + 1 threads busy).
const loadBefore = loadavg()[0] ?? Number.NaN;

let corpus: Corpus;
try {
  corpus = loadCorpus(fileCount);
} catch (error) {
  if (!(error instanceof CorpusTooSmallError)) throw error;
  console.error(`bench:gzip: ${error.message}`);
  process.exit(2);
}
const { files } = corpus;
const sizes = distribution(files.map((f) => f.byteLength));

// The reference: every file through the same function on the main thread, once to get the
// lengths every run is checked against (and to warm zlib up), once more timed file by file.
const expected = files.map((f) => gzip(f));
const gzipMs = files.map((f, i) => {
  const start = performance.now();
  const length = gzip(f);
  const ms = performance.now() - start;
  if (length !== expected[i]) throw new Error(`gzip -9 of ${corpus.paths[i]} is not deterministic: ${length} then ${expected[i]}`);
  return ms;
});
const times = distribution(gzipMs);
const ideal = (threads * 1e3) / times.mean;
progress(
  `corpus: ${fmt(sizes.count)} files, ${fmt(sizes.total)} bytes, p50 ${fmt(sizes.p50)} B, p99 ${fmt(sizes.p99)} B, max ${fmt(sizes.max)} B; ` +
    `gzip -9 mean ${(times.mean * 1e3).toFixed(0)} µs per file on the main thread`,
);

// One untimed round first, every contender once: the first seconds of the process (the
// main thread's JIT and heap growing around the corpus) were slower for every contender
// alike, which made the first timed round the low one of each median.
for (const contender of contenders) await gzipRun(contender, { files, expected, concurrency: concurrencies[0] ?? threads, threads });
progress('warm-up round done');

const runs: (GzipRun & { round: number; position: number })[] = [];
for (const concurrency of concurrencies) {
  for (let round = 0; round < rounds; round++) {
    for (const [position, contender] of roundOrder(contenders, round).entries()) {
      const run = await gzipRun(contender, { files, expected, concurrency, threads });
      progress(`c${concurrency} round ${round + 1} ${contender}: ${fmt(run.filesPerSecond)} files/s, ${run.megabytesPerSecond.toFixed(1)} MB/s`);
      runs.push({ ...run, round, position });
    }
  }
}

const loadAfter = loadavg()[0] ?? Number.NaN;
const summaries = summarize(runs, 'tinypool');
const checks = ratioChecks(summaries, 'engine lookahead', 'tinypool');
const settingsOf = (contender: string, concurrency: number) =>
  runs.find((r) => r.contender === contender && r.concurrency === concurrency)?.settings ?? '';
const table = markdownTable(
  [
    ['contender', 'in flight', 'files/s per round', 'files/s (median)', 'MB/s (median)', '÷ tinypool (medians)', '÷ tinypool per round'],
    ...summaries.map((s) => [
      `${s.contender} (${settingsOf(s.contender, s.concurrency)})`,
      String(s.concurrency),
      s.filesPerSecond.map(fmt).join(' / '),
      fmt(s.medianFilesPerSecond),
      s.medianMegabytesPerSecond.toFixed(1),
      s.ratio.toFixed(3),
      s.roundRatios.map((r) => r.toFixed(2)).join(' / '),
    ]),
  ],
  { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'] },
);
const ms = (v: number) => v.toFixed(3);
const corpusTable = markdownTable(
  [
    ['files', 'total bytes', 'p50 bytes', 'p99 bytes', 'max bytes', 'gzip -9 mean ms', 'p50 ms', 'p99 ms', 'max ms'],
    [fmt(sizes.count), fmt(sizes.total), fmt(sizes.p50), fmt(sizes.p99), fmt(sizes.max), ms(times.mean), ms(times.p50), ms(times.p99), ms(times.max)],
  ],
  { align: ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] },
);

console.log(`# Tidemark gzip benchmark: CPU-bound, skewed work

${host.cpu} x${host.cores}, ${host.memoryGiB} GiB, Node ${host.node}, ${host.date}; 1-minute load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after

## Corpus

${fmt(sizes.count)} files spread evenly over the ${fmt(corpus.eligible)} files of 1 B to ${fmt(corpus.maxBytes)} B under \`${corpus.root}\` (sorted by path), gzip -9 timed file by file on the main thread:

${corpusTable}

${threads} threads that never idle would reach threads / mean = ${fmt(ideal)} files/s (${((ideal * sizes.mean) / 1e6).toFixed(1)} MB/s); the main thread shares the same ${host.cores} cores.

## Engine vs \`run()\` lanes: ${threads} threads, ${rounds} rounds per in-flight count

Each run: a fresh pool, a warm-up pass over the first ${fmt(Math.min(warmupFiles, files.length))} files, then one timed pass over all ${fmt(files.length)}, every compressed length checked. The engine gets the corpus as one \`process()\` source; tinypool and piscina get one lane per message in flight, each awaiting \`run(bytes)\` before taking the next file. The order of the contenders reverses every round.

${table}

${checkTable(checks)}
`);
await mkdir(values.out, { recursive: true });
await writeFile(
  join(values.out, 'gzip.json'),
  JSON.stringify(
    {
      machine: host,
      loadAverage: { before: loadBefore, after: loadAfter },
      threads,
      corpus: { root: corpus.root, maxBytes: corpus.maxBytes, eligible: corpus.eligible, bytes: sizes, gzipMs: times, idealFilesPerSecond: ideal },
      runs,
      summaries,
      checks,
    },
    null,
    2,
  ),
);
if (checks.some((c) => !c.pass)) process.exitCode = 1;
