// `pnpm bench:numaflow`: Tidemark as a Numaflow map UDF (`tidemark serve numaflow`) against
// a map server written in the SDKs' style (one MapFn handler running the transform inline on
// the main thread), both driven as Numaflow's data plane drives a unary map, on a CPU-heavy
// transform with skew: SHA-256 over `--work` 16 KiB blocks per message, 8 times as many for
// one message in ten. Rounds alternate which contender goes first; each pass is on a fresh
// server process after a warm-up pass. Prints Markdown (throughput, p50 and p99 of each
// request's time to its answer, medians, the ratio), writes JSON; exits 2 on bad arguments.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { markdownTable } from 'markdown-table';
import { benchArgs } from './cli-args.js';
import { roundOrder } from './gzip-summary.js';
import { machine } from './machine.js';
import { contenders, startContender, transformPath } from './numaflow-contenders.js';
import type { Contender } from './numaflow-contenders.js';
import { drive } from './numaflow-driver.js';
import { runFigures, summarizeNumaflow } from './numaflow-summary.js';
import type { NumaflowRun } from './numaflow-summary.js';
import numaflowCpu from './workers/numaflow-cpu.js';

const { values } = parseArgs({
  args: benchArgs(),
  options: {
    messages: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '500' },
    'in-flight': { type: 'string', default: '500' },
    work: { type: 'string', default: '32' },
    threads: { type: 'string', default: String(availableParallelism()) },
    concurrency: { type: 'string' },
    out: { type: 'string', default: new URL('../results', import.meta.url).pathname },
  },
});
const number = (flag: string, text: string | undefined, min: number): number => {
  const value = Number(text);
  if (!(value >= min) || !Number.isInteger(value)) {
    console.error(`bench:numaflow: --${flag} must be an integer from ${min} up, got ${text}`);
    process.exit(2);
  }
  return value;
};
const messages = number('messages', values.messages, 1);
const rounds = number('rounds', values.rounds, 1);
const warmup = number('warmup', values.warmup, 0);
const inFlight = number('in-flight', values['in-flight'], 1);
const work = number('work', values.work, 1);
const threads = number('threads', values.threads, 1);
// 16 per thread: with messages this slow, completions come one by one; more in flight lets the
// main thread take several per wake-up (measured on 2 cores: 8 in flight 1.22 of the baseline, 32 1.33, 128 1.31).
const concurrency = number('concurrency', values.concurrency ?? String(threads * 16), 1);

const host = machine();
const loadBefore = loadavg()[0] ?? Number.NaN;
const progress = (line: string): void => void console.error(`  ${line}`);
const fmt = (n: number): string => Math.round(n).toLocaleString('en');
const ms = (n: number): string => n.toFixed(1);

/** Request i's value: its number and its rounds (one message in ten does 8 times the work). */
const roundsOf = (i: number): number => (i % 10 === 9 ? 8 * work : work);
const valueOf = (i: number): Buffer => Buffer.from(`${i}:${roundsOf(i)}`);
// The answers, computed once here (the same function on the main thread) to check each pass against.
const expected = Array.from({ length: Math.max(messages, warmup) }, (_, i) => numaflowCpu(valueOf(i)));
const meanMs = (() => {
  const start = performance.now();
  for (let i = 0; i < 200; i++) numaflowCpu(valueOf(i));
  return (performance.now() - start) / 200;
})();

const dir = await mkdtemp(join(tmpdir(), 'tidemark-bench-numaflow-'));
const runs: NumaflowRun[] = [];
/** A fresh server of `contender`, a warm-up pass, then `timed` requests if any (their figures), stopped. */
async function serveAndDrive(contender: Contender, round: number, timed: number): Promise<NumaflowRun | undefined> {
  const server = await startContender(contender, dir, { threads, concurrency });
  try {
    const pass = (count: number) =>
      drive({
        socket: server.socket,
        messages: count,
        inFlight,
        value: valueOf,
        check(i, response) {
          const results = response.results ?? [];
          if (results.length !== 1 || !Buffer.from(results[0]?.value ?? []).equals(expected[i] as Buffer)) {
            throw new Error(`${contender}: the answer to request ${i} is wrong`);
          }
        },
      });
    if (warmup > 0) await pass(warmup);
    return timed === 0 ? undefined : runFigures(contender, server.settings, round, await pass(timed));
  } finally {
    await server.stop();
  }
}
try {
  // One untimed round first, every contender once: the first pass of this process (its JIT,
  // the client's heap growing) was the slow one of whichever contender went first.
  for (const contender of contenders) await serveAndDrive(contender, -1, 0);
  progress('warm-up round done');
  for (let round = 0; round < rounds; round++) {
    for (const contender of roundOrder(contenders, round)) {
      const run = (await serveAndDrive(contender, round, messages)) as NumaflowRun;
      progress(`round ${round + 1} ${contender}: ${fmt(run.messagesPerSecond)} msg/s, p50 ${ms(run.p50Ms)} ms, p99 ${ms(run.p99Ms)} ms`);
      runs.push(run);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const loadAfter = loadavg()[0] ?? Number.NaN;
const summaries = summarizeNumaflow(runs, 'sdk-style');
const table = markdownTable(
  [
    ['contender', 'settings', 'msg/s per round', 'msg/s (median)', 'p50 ms (median)', 'p99 ms (median)', '÷ sdk-style (medians)', '÷ sdk-style per round'],
    ...summaries.map((s) => [
      s.contender,
      s.settings,
      s.messagesPerSecond.map(fmt).join(' / '),
      fmt(s.medianMessagesPerSecond),
      ms(s.medianP50Ms),
      ms(s.medianP99Ms),
      s.ratio.toFixed(2),
      s.roundRatios.map((r) => r.toFixed(2)).join(' / '),
    ]),
  ],
  { align: ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'] },
);
const tidemark = summaries.find((s) => s.contender === 'tidemark');

console.log(`# Tidemark as a Numaflow map UDF: CPU-heavy transform

${host.cpu} x${host.cores}, ${host.memoryGiB} GiB, Node ${host.node}, ${host.date}; 1-minute load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after

Both servers are processes of their own on a Unix socket, driven as Numaflow's data plane drives a unary map: one MapFn stream, the handshake, ${fmt(inFlight)} requests in flight, each answer matched by its id and checked. The transform (\`${transformPath.split('/').slice(-2).join('/')}\`): SHA-256 over ${work} blocks of 16 KiB per message, ${8 * work} for one message in ten; ${meanMs.toFixed(2)} ms per message on average on this process's main thread. Each pass: a fresh server, ${fmt(warmup)} requests of warm-up, then ${fmt(messages)} timed; an untimed round first, then ${rounds} rounds, the order of the contenders reversed every round. Latency is each request's time from sent to answered.

${table}

tidemark / sdk-style, msg/s (medians): ${tidemark === undefined ? '–' : tidemark.ratio.toFixed(2)}
`);
await mkdir(values.out, { recursive: true });
await writeFile(
  join(values.out, 'numaflow.json'),
  JSON.stringify({ machine: host, loadAverage: { before: loadBefore, after: loadAfter }, messages, rounds, warmup, inFlight, work, meanMs, runs, summaries }, null, 2),
);
