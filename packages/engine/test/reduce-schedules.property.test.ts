import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ReduceStore, checkReduceModule, serializeError } from '@tidemark/workers';
import { WindowStage } from '../src/reduce/window-stage.js';
import type { WindowSpec } from '../src/reduce/window-spec.js';
import { MessageTracker } from '../src/run/message-tracker.js';
import type { MessageState } from '../src/run/message-state.js';
import { Intake } from '../src/source/intake.js';
import { TransformError } from '../src/errors.js';
import { referenceReduce, resultKeys } from './helpers/window-reference.js';
import type { RefMessage, RefResult } from './helpers/window-reference.js';

// The main thread's windowed reduce (WindowStage over a real MessageTracker)
// and the workers' (ReduceStore, two of them, by key affinity), run
// in-process under random schedules: random read/complete interleavings,
// failed tries that ran anyway (an add counted twice), worker deaths (a
// store's accumulators gone), out-of-order event times within the bound and
// late ones beyond it. The results must equal the sequential reference's,
// every message must be acked once, and no record may come out below a
// watermark already published unless it is late.

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

const specs: fc.Arbitrary<WindowSpec> = fc.oneof(
  fc.integer({ min: 1, max: 30 }).map((tumbling) => ({ tumbling })),
  fc.integer({ min: 1, max: 30 }).chain((size) => fc.integer({ min: 1, max: size }).map((every) => ({ sliding: { size, every } }))),
  fc.integer({ min: 1, max: 15 }).map((gap) => ({ session: { gap } })),
);

const scenario = fc.record({
  spec: specs,
  lateness: fc.constantFrom(0, 3, 10),
  bound: fc.constantFrom(0, 5, 20),
  messages: fc.array(fc.record({ key: fc.integer({ min: 0, max: 2 }), step: fc.integer({ min: 0, max: 6 }), back: fc.integer({ min: 0, max: 40 }), value: fc.integer({ min: 0, max: 99 }) }), { maxLength: 30 }),
  choices: fc.array(fc.nat(), { minLength: 200, maxLength: 200 }),
});

interface Try {
  readonly state: MessageState;
}

test('windowed reduce equals the sequential reference under random schedules, faults and late data (tumbling, sliding, session)', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ({ spec, lateness, bound, messages: drawn, choices }) => {
      // Event times trend upward; some trail by up to 40 (within the bound, or late beyond it).
      let trend = 0;
      const messages: RefMessage[] = drawn.map((d, offset) => {
        trend += d.step;
        return { offset, key: `k${d.key}`, eventTime: trend - d.back, value: d.value };
      });
      const expected = referenceReduce(messages, spec, lateness, bound);

      const tracker = new MessageTracker({ maxOutOfOrderness: bound, idleAfter: Number.POSITIVE_INFINITY });
      const pool: Try[] = [];
      const stores = Array.from({ length: WORKERS }, () => new ReduceStore(collect));
      const stage = new WindowStage({ module: 'test:collect', window: spec, allowedLateness: lateness }, tracker, (state) => pool.push({ state }), 1e9);
      const intake = new Intake(false, 0);
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
        const ctx = { offset: state.offset, key: state.key, eventTime: state.eventTime, attempt: state.attempts, signal: new AbortController().signal };
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
    }),
    // REDUCE_RUNS: how many schedules (10,000 by default); REDUCE_SEED: replay a seed fast-check reported.
    {
      numRuns: Number(process.env.REDUCE_RUNS ?? 10_000),
      includeErrorInReport: true,
      ...(process.env.REDUCE_SEED === undefined ? {} : { seed: Number(process.env.REDUCE_SEED) }),
    },
  );
});

test('an add that fails for good leaves its message a failed record, in no window; the window has the rest', () => {
  const tracker = new MessageTracker({ maxOutOfOrderness: 0, idleAfter: Number.POSITIVE_INFINITY });
  const sent: MessageState[] = [];
  const stage = new WindowStage({ module: 'm', window: { tumbling: 10 }, allowedLateness: 0 }, tracker, (s) => sent.push(s), 1e9);
  const intake = new Intake(false, 0);
  const [a, b] = [0, 1].map((i) => intake.take({ key: 'k', eventTime: i, value: i }, -1)) as [MessageState, MessageState];
  for (const state of [a, b]) {
    tracker.read(state);
    assert.ok(stage.assign(state));
    tracker.queue(state, 0);
    tracker.dispatch(state, 0);
  }
  tracker.fail(a, new TransformError(serializeError(new Error('no'))));
  assert.equal(stage.settled(a), a, 'the failed message settles as a failed record');
  tracker.complete(b, []);
  assert.equal(stage.settled(b), undefined, 'the added message is held');
  assert.equal(b.stage, 'windowed');
  stage.closeAll();
  assert.equal(sent.length, 1);
  const op = sent[0]?.input as { parts: { count: number }[] };
  assert.deepEqual(op.parts.map((p) => p.count), [1], 'the window counts only the message that was added');
});
