import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serializeError } from '@tidemark/workers';
import { WindowStage } from '../src/reduce/window-stage.js';
import { MessageTracker } from '../src/run/message-tracker.js';
import type { MessageState } from '../src/run/message-state.js';
import { Intake } from '../src/source/intake.js';
import { MessageIds } from '../src/run/message-ids.js';
import { TransformError } from '../src/errors.js';
import { checkSchedulesInWorker } from './helpers/reduce-schedules.js';

// The main thread's windowed reduce (WindowStage over a real MessageTracker)
// and the workers' (ReduceStore, two of them, by key affinity), run
// in-process under random schedules: random read/complete interleavings,
// failed tries that ran anyway (an add counted twice), worker deaths (a
// store's accumulators gone), out-of-order event times within the bound and
// late ones beyond it. The results must equal the sequential reference's,
// every message must be acked once, and no record may come out below a
// watermark already published unless it is late. 10,000 schedules of each
// window kind, each of 1 to 30 messages; the property is in
// helpers/reduce-schedules.ts, run in a worker thread (see there why).

// REDUCE_RUNS: how many schedules per window kind (10,000 by default); REDUCE_SEED: replay a seed fast-check reported.
const runs = Number(process.env.REDUCE_RUNS ?? 10_000);
const seed = process.env.REDUCE_SEED === undefined ? undefined : Number(process.env.REDUCE_SEED);

for (const kind of ['tumbling', 'sliding', 'session'] as const) {
  test(`windowed reduce equals the sequential reference under ${runs} random schedules, faults and late data (${kind} windows), and keeps the watermark rule`, { timeout: 180_000 }, async () => {
    assert.equal(await checkSchedulesInWorker(kind, runs, seed), runs, 'every schedule was checked');
  });
}

test('an add that fails for good leaves its message a failed record, in no window; the window has the rest', () => {
  const tracker = new MessageTracker({ maxOutOfOrderness: 0, idleAfter: Number.POSITIVE_INFINITY });
  const sent: MessageState[] = [];
  const ids = new MessageIds();
  const stage = new WindowStage({ module: 'm', window: { tumbling: 10 }, allowedLateness: 0 }, tracker, (s) => sent.push(s), ids);
  const intake = new Intake(false, ids);
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
