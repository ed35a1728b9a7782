import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TransformError } from '../src/errors.js';
import type { MessageState } from '../src/run/message-state.js';
import { MessageTracker } from '../src/run/message-tracker.js';
import { mayMove, stages, transitions } from '../src/run/stages.js';
import type { Stage } from '../src/run/stages.js';
import { Intake } from '../src/source/intake.js';
import { MessageIds } from '../src/run/message-ids.js';

// The tracker against a model written from the events' side, not from the
// table: each event names the stages it may happen in and where it leads.
// A random sequence of events over a few messages must be accepted exactly
// when the model allows it (a refused event leaves everything as it was),
// and the counters, committed offset, oldest in flight and watermark must
// follow from the model's messages. Messages that left stay in the model and
// random events keep targeting them: every one must be refused.

/**
 * The model's stages: the tracker's, plus a failed message whose record was
 * handed over (its stage stays `failed`: it may be acked now, and neither
 * handed over again nor dropped), and one that left the run.
 */
type ModelStage = Stage | 'failed, handed over' | 'gone';
type Event = 'queue' | 'dispatch' | 'complete' | 'tooLate' | 'hold' | 'retry' | 'requeue' | 'fail' | 'reject' | 'emit' | 'drop' | 'ack';
const events: Record<Event, { from: readonly ModelStage[]; to: ModelStage | 'same' }> = {
  queue: { from: ['read', 'retrying'], to: 'queued' },
  dispatch: { from: ['queued'], to: 'dispatched' },
  complete: { from: ['dispatched'], to: 'completed' },
  tooLate: { from: ['read'], to: 'completed' }, // windowed reduce: a late record without a try
  hold: { from: ['completed'], to: 'windowed' }, // windowed reduce: added, waiting for its window
  retry: { from: ['dispatched'], to: 'retrying' },
  requeue: { from: ['dispatched'], to: 'queued' },
  fail: { from: ['read', 'dispatched', 'completed'], to: 'failed' },
  reject: { from: ['read', 'completed'], to: 'failed' },
  emit: { from: ['completed', 'failed', 'windowed'], to: 'same' }, // emitted, or a failed record handed over (once)
  drop: { from: ['read', 'queued', 'completed', 'failed'], to: 'gone' },
  ack: { from: ['emitted', 'failed, handed over'], to: 'gone' },
};
/** Where a message's stage ends, by the event that made it leave and the model stage it left from. */
const finalStage = (event: Event, from: ModelStage): Stage => (event === 'drop' ? 'dropped' : from === 'emitted' ? 'acked' : 'failed');
const eventNames = Object.keys(events) as Event[];
const limit = { messages: 1, bytes: Number.POSITIVE_INFINITY, overflow: 'reject' as const };

function apply(tracker: MessageTracker, state: MessageState, event: Event): void {
  const failure = { name: 'Error', code: undefined, message: 'boom', stack: undefined };
  switch (event) {
    case 'queue':
      return tracker.queue(state, 1);
    case 'dispatch':
      return tracker.dispatch(state, 2);
    case 'complete':
      return tracker.complete(state, [state.input]);
    case 'tooLate':
      return tracker.tooLate(state);
    case 'hold':
      return tracker.hold(state);
    case 'retry':
      return tracker.retry(state);
    case 'requeue':
      return tracker.requeue(state, 3);
    case 'fail':
      return tracker.fail(state, new TransformError(failure));
    case 'reject':
      return tracker.reject(state, 'output', limit);
    case 'emit':
      return tracker.emit(state);
    case 'drop':
      return tracker.drop(state, { buffer: 'input', policy: 'drop-oldest' }, 4);
    case 'ack':
      return tracker.ack(state, 5);
  }
}

test('the stage table: every move the tracker allows is in it, and every stage is reachable from read', () => {
  for (const from of stages) for (const to of stages) assert.equal(mayMove(from, to), transitions[from].includes(to), `${from} → ${to}`);
  const reached = new Set<Stage>(['read']);
  for (let grew = true; grew; ) {
    grew = false;
    for (const from of reached) for (const to of transitions[from]) if (!reached.has(to)) grew = reached.add(to) !== undefined;
  }
  assert.deepEqual([...reached].sort(), [...stages].sort());
});

test('the tracker against an event model: random event sequences, counters, committed offset and watermark', () => {
  const command = fc.record({ message: fc.nat(5), departed: fc.nat(4), event: fc.constantFrom(...eventNames), eventTime: fc.integer({ min: 0, max: 50 }) });
  fc.assert(
    fc.property(fc.array(command, { maxLength: 120 }), (commands) => {
      const tracker = new MessageTracker({ maxOutOfOrderness: 5, idleAfter: Number.POSITIVE_INFINITY });
      const intake = new Intake(false, new MessageIds());
      /** The model: the live messages by slot, each with its stage as the model sees it. */
      const live = new Map<number, { state: MessageState; stage: ModelStage }>();
      /** The messages that left the run: every event on one must be refused. */
      const gone: { state: MessageState; stage: ModelStage }[] = [];
      const counts = { read: 0, acked: 0, dropped: 0, retried: 0, failed: 0, tooLate: 0 };
      let highest = -1;
      let maxEventTime = Number.NEGATIVE_INFINITY;
      for (const { message, departed, event, eventTime } of commands) {
        // One event in five targets a message that left, if any did.
        let entry = departed === 0 && gone.length > 0 ? gone[message % gone.length] : live.get(message);
        if (entry === undefined) {
          // An unknown slot reads a new message first.
          const state = intake.take({ value: message, eventTime }, -1);
          tracker.read(state);
          entry = { state, stage: 'read' };
          live.set(message, entry);
          counts.read++;
          highest = Math.max(highest, state.offset);
          maxEventTime = Math.max(maxEventTime, eventTime);
        }
        const { state } = entry;
        const rule = events[event];
        const allowed = rule.from.includes(entry.stage);
        const snapshot = () => ({ stage: state.stage, outcome: state.outcome, attempts: state.attempts, ackedAt: state.ackedAt, size: tracker.size, stats: { ...tracker.stats } });
        const before = snapshot();
        let threw = false;
        try {
          apply(tracker, state, event);
        } catch {
          threw = true;
        }
        assert.equal(threw, !allowed, `${event} in stage ${entry.stage}: ${allowed ? 'allowed' : 'refused'}`);
        if (!allowed) {
          assert.deepEqual(snapshot(), before, 'a refused event changes nothing');
          continue;
        }
        if (event === 'dispatch') assert.equal(state.attempts, before.attempts + 1);
        if (event === 'requeue') assert.equal(state.attempts, before.attempts - 1, 'an untried try does not count');
        if (event === 'retry') counts.retried++;
        if (event === 'tooLate') counts.tooLate++;
        if (event === 'emit' && entry.stage === 'failed') counts.failed++;
        if (rule.to === 'gone') {
          live.delete(message);
          assert.equal(state.stage, finalStage(event, entry.stage), `${event} from ${entry.stage}: the stage it ends in`);
          entry.stage = 'gone';
          gone.push(entry);
          counts.acked++;
          if (event === 'drop') counts.dropped++;
          assert.equal(tracker.get(state.id), undefined);
        } else {
          entry.stage = rule.to === 'same' ? (entry.stage === 'failed' ? 'failed, handed over' : 'emitted') : rule.to;
          assert.equal(state.stage, entry.stage === 'failed, handed over' ? 'failed' : entry.stage);
        }
        if (event === 'reject') assert.equal(state.outcome, 'rejected');
        if (event === 'fail') assert.equal(state.outcome, 'failed');
        if (event === 'complete' || event === 'tooLate') assert.equal(state.outcome, 'completed');
        if (event === 'drop') assert.equal(state.outcome, 'dropped');
      }
      const states = [...live.values()].map(({ state }) => state);
      assert.equal(tracker.size, live.size);
      const { read, acked, dropped, retried, failed, tooLate } = tracker.stats;
      assert.deepEqual({ read, acked, dropped, retried, failed, tooLate }, counts);
      const lowest = Math.min(...states.map((state) => state.offset));
      assert.equal(tracker.committedOffset, states.length > 0 ? lowest : highest + 1);
      assert.equal(tracker.oldestReadAt, states.length > 0 ? Math.min(...states.map((state) => state.readAt)) : undefined);
      tracker.publish(0);
      const lowWatermark = Math.min(...states.map((state) => state.watermark));
      assert.ok(tracker.watermark <= lowWatermark, 'the watermark never passes a message in flight');
      if (states.length === 0) assert.equal(tracker.watermark, maxEventTime - 5, 'nothing in flight: the input watermark');
    }),
    { numRuns: 2000 },
  );
});
