import assert from 'node:assert/strict';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { ReduceStore, checkReduceModule } from '@tidemark/workers';
import { WindowStage } from '../../src/reduce/window-stage.js';
import type { WindowSpec } from '../../src/reduce/window-spec.js';
import { MessageTracker } from '../../src/run/message-tracker.js';
import type { MessageState } from '../../src/run/message-state.js';
import { Intake } from '../../src/source/intake.js';
import { MessageIds } from '../../src/run/message-ids.js';
import { referenceReduce, resultKeys } from './window-reference.js';
import type { RefMessage, RefResult } from './window-reference.js';

/**
 * The property of reduce-schedules.property.test.ts: the main thread's
 * windowed reduce (WindowStage over a real MessageTracker) and the workers'
 * (ReduceStore, two of them, by key affinity), run in-process under a random
 * schedule: random read/complete interleavings, failed tries that ran anyway
 * (an add counted twice), worker deaths (a store's accumulators gone),
 * out-of-order event times within the bound and late ones beyond it. The
 * results must equal the sequential reference's, every message must be
 * acked once, and no record may come out below a watermark already
 * published unless it is late.
 *
 * {@link checkSchedulesInWorker} runs it in a worker thread: node:test's
 * harness tracks every promise of its own thread with async hooks, which
 * made each schedule (a few hundred promises) cost four times as much.
 */

export type WindowKind = 'tumbling' | 'sliding' | 'session';

const collect = checkReduceModule(
  {
    create: () => [] as number[],
    add: (acc: number[], value: number) => [...acc, value],
    merge: (a: number[], b: number[]) => [...a, ...b],
    result: (acc: number[]) => [...acc].sort((x, y) => x - y),
  },
  'test:collect',
);

/** `drop()` and `fanOut()` carry this registered brand (see @tidemark/workers' outputs.ts). */
const outputsBrand = Symbol.for('tidemark.outputs');
const valuesOf = (output: unknown): unknown[] =>
  typeof output === 'object' && output !== null && outputsBrand in output ? [...(output as unknown as { values: unknown[] }).values] : [output];

const WORKERS = 2;
const ATTEMPTS = 3;

const specs: Record<WindowKind, fc.Arbitrary<WindowSpec>> = {
  tumbling: fc.integer({ min: 1, max: 30 }).map((tumbling) => ({ tumbling })),
  sliding: fc.integer({ min: 1, max: 30 }).chain((size) => fc.integer({ min: 1, max: size }).map((every) => ({ sliding: { size, every } }))),
  session: fc.integer({ min: 1, max: 15 }).map((gap) => ({ session: { gap } })),
};

/** One schedule: the window, its lateness and bound, at least one message, and the choices that interleave reads, completions and faults. */
const scenario = (kind: WindowKind) =>
  fc.record({
    spec: specs[kind],
    lateness: fc.constantFrom(0, 3, 10),
    bound: fc.constantFrom(0, 5, 20),
    messages: fc.array(fc.record({ key: fc.integer({ min: 0, max: 2 }), step: fc.integer({ min: 0, max: 6 }), back: fc.integer({ min: 0, max: 40 }), value: fc.integer({ min: 0, max: 99 }) }), { minLength: 1, maxLength: 30 }),
    choices: fc.array(fc.nat(), { minLength: 200, maxLength: 200 }),
  });

type Scenario = ReturnType<typeof scenario> extends fc.Arbitrary<infer S> ? S : never;

interface Try {
  readonly state: MessageState;
}

/** Every try's signal: nothing aborts here. */
const signal = new AbortController().signal;

/** One schedule, checked (throws an AssertionError). */
async function schedule({ spec, lateness, bound, messages: drawn, choices }: Scenario): Promise<void> {
  // Event times trend upward; some trail by up to 40 (within the bound, or late beyond it).
  let trend = 0;
  const messages: RefMessage[] = drawn.map((d, offset) => {
    trend += d.step;
    return { offset, key: `k${d.key}`, eventTime: trend - d.back, value: d.value };
  });
  const expected = referenceReduce(messages, spec, lateness, bound);

  const tracker = new MessageTracker({ maxOutOfOrderness: bound, idleAfter: Number.POSITIVE_INFINITY });
  const pool: Try[] = [];
  const ids = new MessageIds();
  const stores = Array.from({ length: WORKERS }, () => new ReduceStore(collect));
  const stage = new WindowStage({ module: 'test:collect', window: spec, allowedLateness: lateness }, tracker, (state) => pool.push({ state }), ids);
  const intake = new Intake(false, ids);
  const results: RefResult[] = [];
  const late: number[] = [];
  let published = Number.NEGATIVE_INFINITY;
  let c = 0;
  const choose = (n: number): number => (choices[c++ % choices.length] as number) % n;

  const handOver = (state: MessageState): void => {
    tracker.emit(state);
    for (const value of state.error === undefined ? state.values : []) {
      const record = { eventTime: state.eventTime, late: state.late };
      assert.ok(record.late || record.eventTime >= published, `a record at ${record.eventTime} after watermark ${published} was published`);
      if (state.window === undefined) late.push(state.offset);
      else results.push({ key: state.key as string, start: state.window.start, end: state.window.end, values: value as number[] });
    }
    assert.equal(state.error, undefined, `nothing fails for good here: ${String(state.error)}`);
    tracker.ack(state, 0);
    stage.handedOver(state, () => {});
    published = tracker.publish() ?? published;
    stage.advance();
  };

  const read = (m: RefMessage): void => {
    const state = intake.take({ key: m.key, eventTime: m.eventTime, value: m.value, offset: m.offset }, -1);
    tracker.read(state);
    if (stage.assign(state)) {
      tracker.queue(state, 0);
      pool.push({ state });
    } else {
      tracker.tooLate(state);
      handOver(state);
    }
    stage.advance();
  };

  const complete = async (index: number): Promise<void> => {
    const [{ state }] = pool.splice(index, 1) as [Try];
    tracker.dispatch(state, 0);
    const sent = stage.outgoing(state);
    const slot = (sent.affinity as number) % WORKERS;
    const fault = state.attempts < ATTEMPTS ? choose(4) : 0; // the last try always succeeds
    if (fault === 1) stores[slot] = new ReduceStore(collect); // the worker died: its accumulators are gone
    const ctx = { offset: state.offset, key: state.key, eventTime: state.eventTime, attempt: state.attempts, signal };
    // A fault 2 try ran at the worker and then failed (its completion lost): it will run again.
    const output = fault === 1 ? undefined : await stores[slot]?.run(sent.input, ctx);
    if (fault === 1 || fault === 2) {
      tracker.retry(state);
      tracker.queue(state, 0);
      pool.push({ state });
      return;
    }
    tracker.complete(state, valuesOf(output));
    const settled = stage.settled(state);
    if (settled !== undefined) handOver(settled);
  };

  let next = 0;
  while (next < messages.length || pool.length > 0) {
    if (next < messages.length && (pool.length === 0 || choose(3) === 0)) read(messages[next++] as RefMessage);
    else await complete(choose(pool.length));
    if (next === messages.length && pool.length === 0) stage.closeAll();
  }

  assert.deepEqual(resultKeys(results), resultKeys(expected.results));
  assert.deepEqual(late.sort((a, b) => a - b), expected.late);
  assert.equal(tracker.size, 0, 'every message and window left the run');
  assert.equal(tracker.stats.acked, messages.length, 'every message acked once');
  assert.equal(tracker.stats.tooLate, expected.late.length);
}

/**
 * `runs` schedules of `kind` windows (fast-check's `seed` to replay one it
 * reported), here. Returns the schedules checked; throws fast-check's
 * report of the first that failed, shrunk.
 */
export async function checkSchedules(kind: WindowKind, runs: number, seed?: number): Promise<number> {
  let checked = 0;
  await fc.assert(
    fc.asyncProperty(scenario(kind), async (drawn) => {
      await schedule(drawn);
      checked++;
    }),
    { numRuns: runs, includeErrorInReport: true, ...(seed === undefined ? {} : { seed }) },
  );
  return checked;
}

/** {@link checkSchedules} in a worker thread of its own (tsx loads this module there): what it returns, or rejects with what it threw. */
export function checkSchedulesInWorker(kind: WindowKind, runs: number, seed?: number): Promise<number> {
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { reduceSchedules: { kind, runs, seed } } });
  return new Promise((resolve, reject) => {
    let checked: number | undefined;
    worker.on('message', (message: number) => (checked = message));
    worker.on('error', reject);
    worker.on('exit', (code) => (checked !== undefined && code === 0 ? resolve(checked) : reject(new Error(`the schedules' worker exited with code ${code} without a result`))));
  });
}

const asked = (workerData as { reduceSchedules?: { kind: WindowKind; runs: number; seed?: number } } | null)?.reduceSchedules;
if (!isMainThread && asked !== undefined) {
  parentPort?.postMessage(await checkSchedules(asked.kind, asked.runs, asked.seed));
}
