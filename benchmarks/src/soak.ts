// `pnpm bench:soak`: ten million small messages through the engine with a consumer slower than
// the workers. Every engine buffer is bounded (messages read and not acked never exceed the
// input + processing + output buffer limits), so in flight must never pass that bound and RSS
// and heap must stay flat however long the run: under the default `block` policy RSS at 100%
// within 20% of RSS at 1%. Either failing exits 1. The same run with the output buffer on
// `drop-oldest` (the consumer gets the newest outputs, the engine never waits for it) shows
// what dropping costs and saves, and is held to the same in-flight bound. Beside them, the same
// consumer alone (no engine) as the baseline. Prints Markdown, writes results/soak.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Engine } from '@tidemark/engine';
import type { EngineRecord, OverflowPolicy } from '@tidemark/engine';
import { markdownTable } from 'markdown-table';
import { checkTable } from './check.js';
import { machine } from './machine.js';
import { MemoryMeter } from './soak-memory.js';
import type { Memory } from './soak-memory.js';
import { inFlightCheck, rssCheck, rssTolerance, soakFractions as fractions } from './soak-verdict.js';
import { benchArgs } from './cli-args.js';

const { values } = parseArgs({
  args: benchArgs(),
  options: {
    messages: { type: 'string', default: '10000000' },
    out: { type: 'string', default: new URL('../results', import.meta.url).pathname },
  },
});
const messages = Number(values.messages);
if (!(messages >= 1000) || !Number.isInteger(messages)) {
  console.error(`bench:soak: --messages must be an integer from 1000 up, got ${values.messages}`);
  process.exit(2);
}
const threads = 2;
const concurrency = 64;
const sampleEvery = 10_000;
const pauseEvery = 1_000;
// One setImmediate turn let ~120 completions pile up (in flight peaked at 193 of 256 in trial
// runs) and never reached the bound; four turns reach it at about a third of the pauses.
const pauseTurns = 4;
const host = machine();

interface Checkpoint extends Memory {
  readonly fraction: number;
  readonly outputs: number;
}
interface SoakResult {
  readonly name: string;
  readonly messages: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
  readonly start: Memory;
  readonly checkpoints: readonly Checkpoint[];
  readonly peak: Memory;
  readonly samples: number;
  /**
   * Engine runs only: `max` is `engine.inFlight` at its highest, taken at every read (in flight
   * only rises on a read); `pausesAtBound` counts the consumer's pauses that found it at the bound.
   */
  readonly inFlight?: { readonly max: number; readonly bound: number; readonly pausesAtBound: number; readonly pauses: number };
  readonly outputs: { readonly count: number; readonly sum: number; readonly expectedSum: number };
  /** Messages the output buffer's policy dropped (acked without an output). */
  readonly dropped: number;
}

/** What the soak reads of the engine: messages in flight, their bound, and drops so far. */
interface EngineProbe {
  readonly bound: number;
  inFlight(): number;
  dropped(): number;
}

/** The highest in-flight count seen. */
class InFlightMax {
  max = 0;
  readonly probe: EngineProbe;
  constructor(probe: EngineProbe) {
    this.probe = probe;
  }
  sample(): number {
    const held = this.probe.inFlight();
    if (held > this.max) this.max = held;
    return held;
  }
}

/**
 * `{ value: i }` for i from 0, read lazily: the source never exists as an array. `afterRead`
 * runs each time the engine asks for the next item, when it has taken the one before.
 */
function* source(n: number, afterRead?: () => void): Generator<{ value: number }> {
  for (let i = 0; i < n; i++) {
    yield { value: i };
    afterRead?.();
  }
}

/**
 * The slow consumer: every `pauseEvery` outputs it serialises the record (a
 * little synchronous work) and gives the event loop `pauseTurns` turns
 * without taking anything, so that the workers' completions would pile up
 * without backpressure. Checks that every output is its input plus one,
 * counts and sums them, and records memory at 1%, 10%, 50% and 100% of the
 * input (by offset: with a dropping policy not every offset comes out).
 */
async function consume(records: AsyncIterable<EngineRecord>, n: number, meter: MemoryMeter, held?: InFlightMax) {
  const marks = fractions.map((f) => Math.max(1, Math.round(n * f)));
  const checkpoints: Checkpoint[] = [];
  const pauses = { atBound: 0, count: 0 };
  let count = 0;
  let sum = 0;
  let serialised = 0;
  for await (const record of records) {
    if (record.kind !== 'output') throw new Error(`message ${record.offset} failed: ${record.error.message}`);
    const value = record.value as number;
    if (value !== record.offset + 1) throw new Error(`message ${record.offset}: output ${value}, expected ${record.offset + 1}`);
    count++;
    sum += value;
    if (count % pauseEvery === 0) {
      serialised += JSON.stringify(record).length;
      for (let turn = 0; turn < pauseTurns; turn++) await nextTurn();
      if (held !== undefined) {
        pauses.count++;
        if (held.sample() >= held.probe.bound) pauses.atBound++;
      }
    }
    if (count % sampleEvery === 0) meter.sample();
    // A small input can pass several marks with one record.
    for (let mark = marks[checkpoints.length]; mark !== undefined && record.offset + 1 >= mark; mark = marks[checkpoints.length]) {
      checkpoints.push({ fraction: fractions[checkpoints.length] as number, outputs: count, ...meter.sample() });
    }
  }
  // The last offsets may have been dropped: the end of the input is the 100% mark then.
  if (checkpoints.length === fractions.length - 1) checkpoints.push({ fraction: 1, outputs: count, ...meter.sample() });
  return { count, sum, serialised, checkpoints, pauses };
}

async function soak(name: string, n: number, run: (afterRead?: () => void) => AsyncIterable<EngineRecord>, engine?: EngineProbe): Promise<SoakResult> {
  const meter = new MemoryMeter();
  const held = engine === undefined ? undefined : new InFlightMax(engine);
  const startMemory = meter.sample();
  const started = performance.now();
  const { count, sum, serialised, checkpoints, pauses } = await consume(run(held && (() => held.sample())), n, meter, held);
  const seconds = (performance.now() - started) / 1e3;
  meter.stop();
  const dropped = engine?.dropped() ?? 0;
  // Exact in a double up to n ≈ 1.3e8: n(n+1)/2 stays below 2^53.
  const expectedSum = (n * (n + 1)) / 2;
  const complete = dropped === 0 ? sum === expectedSum : sum < expectedSum;
  if (count + dropped !== n || !complete || checkpoints.length !== fractions.length || serialised === 0) {
    throw new Error(`${name}: ${count} outputs summing to ${sum} and ${dropped} dropped, expected ${n} in all (sum ${expectedSum})`);
  }
  return {
    name,
    messages: n,
    seconds,
    messagesPerSecond: n / seconds,
    start: startMemory,
    checkpoints,
    peak: { ...meter.peak },
    samples: meter.samples,
    ...(engine && held ? { inFlight: { max: held.max, bound: engine.bound, pausesAtBound: pauses.atBound, pauses: pauses.count } } : {}),
    outputs: { count, sum, expectedSum },
    dropped,
  };
}

async function engineSoak(n: number, overflow: OverflowPolicy): Promise<SoakResult> {
  await using engine = new Engine({
    transform: new URL('./workers/trivial.js', import.meta.url),
    threads,
    concurrency,
    buffers: { output: { overflow } },
  });
  const { input, processing, output } = engine.options.buffers;
  // Warm-up: workers started and code compiled before the clock and the meter start.
  for await (const record of engine.process(source(threads * 1000))) {
    if (record.kind !== 'output') throw new Error(`warm-up message ${record.offset} failed: ${record.error.message}`);
  }
  // Awaited here: `await using` closes the engine when this function returns.
  const name = `engine, output ${overflow} (${threads} threads, concurrency ${concurrency})`;
  const probe: EngineProbe = {
    // Under block the output buffer counts the messages at the workers as
    // its own (room is kept for them), so input + output (+ the record the
    // consumer holds, not acked until it asks for the next) bound what is read.
    bound: input.messages + (overflow === 'block' ? 1 : processing.messages) + output.messages,
    inFlight: () => engine.inFlight,
    dropped: () => engine.stats?.dropped ?? 0,
  };
  return await soak(name, n, (afterRead) => engine.process(source(n, afterRead)), probe);
}

/** The same consumer over records made on the main thread: its own speed and footprint. */
async function* bareRecords(n: number): AsyncGenerator<EngineRecord> {
  const eventTime = Date.now();
  for (const { value } of source(n)) yield { kind: 'output', offset: value, key: undefined, eventTime, value: value + 1 };
}

const engine = await engineSoak(messages, 'block');
console.error(`  engine: ${Math.round(engine.messagesPerSecond).toLocaleString('en')} msg/s`);
const dropping = await engineSoak(messages, 'drop-oldest');
console.error(`  engine, dropping: ${Math.round(dropping.messagesPerSecond).toLocaleString('en')} msg/s, ${dropping.dropped.toLocaleString('en')} dropped`);
const baseline = await soak('consumer alone (baseline)', messages, () => bareRecords(messages));
console.error(`  baseline: ${Math.round(baseline.messagesPerSecond).toLocaleString('en')} msg/s`);

const at = (r: SoakResult, fraction: number) => r.checkpoints.find((c) => c.fraction === fraction) as Checkpoint;
const growth = (r: SoakResult) => ({ run: r.name, first: at(r, fractions[0]).rss, last: at(r, 1).rss });
const checks = [
  rssCheck(growth(engine)),
  ...[engine, dropping].map((r) => inFlightCheck({ run: r.name, max: r.inFlight?.max ?? Number.NaN, bound: r.inFlight?.bound ?? Number.NaN })),
];
const droppingRatio = at(dropping, 1).rss / at(dropping, fractions[0]).rss;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const percent = (f: number) => `${f * 100}%`;
const runs = [engine, dropping, baseline];
const row = (label: string, cell: (r: SoakResult) => string) => [label, ...runs.map(cell)];
const table = markdownTable(
  [
    ['', ...runs.map((r) => r.name)],
    row('messages/s (read)', (r) => Math.round(r.messagesPerSecond).toLocaleString('en')),
    row('outputs / dropped', (r) => `${r.outputs.count.toLocaleString('en')} / ${r.dropped.toLocaleString('en')}`),
    row('seconds', (r) => r.seconds.toFixed(1)),
    row('RSS at start', (r) => mib(r.start.rss)),
    ...fractions.map((f) => row(`RSS at ${percent(f)}`, (r) => mib(at(r, f).rss))),
    row('RSS peak', (r) => mib(r.peak.rss)),
    row('heapUsed at start', (r) => mib(r.start.heapUsed)),
    ...fractions.map((f) => row(`heapUsed at ${percent(f)}`, (r) => mib(at(r, f).heapUsed))),
    row('heapUsed peak', (r) => mib(r.peak.heapUsed)),
    row('RSS 100% / 1%', (r) => (at(r, 1).rss / at(r, fractions[0]).rss).toFixed(3)),
    row('in flight: max at any read (bound)', (r) => (r.inFlight === undefined ? '–' : `${r.inFlight.max} (${r.inFlight.bound})`)),
    row('pauses that found the bound reached', (r) => (r.inFlight === undefined ? '–' : `${r.inFlight.pausesAtBound.toLocaleString('en')} of ${r.inFlight.pauses.toLocaleString('en')}`)),
    row('memory samples', (r) => String(r.samples)),
    row('outputs (count, sum)', (r) => `${r.outputs.count.toLocaleString('en')}, ${r.outputs.sum.toLocaleString('en')}: ${r.dropped === 0 ? 'all' : 'each checked'}`),
  ],
  { align: ['l', 'r', 'r', 'r'] },
);

console.log(`# Tidemark soak: ${messages.toLocaleString('en')} messages, trivial transform, slow consumer

${host.cpu} x${host.cores}, ${host.memoryGiB} GiB, Node ${host.node}, ${host.date}

Consumer: every ${pauseEvery.toLocaleString('en')} outputs, JSON.stringify of the record and ${pauseTurns} setImmediate turns.
Memory sampled at ${fractions.map(percent).join(', ')} of the input, every ${sampleEvery.toLocaleString('en')} outputs and every 100 ms.

${table}

${checkTable(checks)}

Engine (output drop-oldest) RSS at 100% / RSS at 1%: ${droppingRatio.toFixed(3)} (reported, not a check); ${dropping.dropped.toLocaleString('en')} of ${messages.toLocaleString('en')} dropped
`);
await mkdir(values.out, { recursive: true });
await writeFile(
  join(values.out, 'soak.json'),
  JSON.stringify(
    { machine: host, options: { messages, threads, concurrency, pauseEvery, pauseTurns, sampleEvery, fractions, tolerance: rssTolerance }, runs, checks },
    null,
    2,
  ),
);
if (checks.some((c) => !c.pass)) process.exitCode = 1;
