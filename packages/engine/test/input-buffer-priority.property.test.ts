import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { overflowPolicies } from '../src/buffers/buffer-limit.js';
import type { BufferLimit, OverflowPolicy } from '../src/buffers/buffer-limit.js';
import { InputBuffer } from '../src/buffers/input-buffer.js';
import type { Shed } from '../src/buffers/shed.js';
import type { MessageState } from '../src/run/message-state.js';
import { messageMaker } from './helpers/messages.js';

// The input buffer with priority against a plain array. Messages arrive
// (add) with a priority at a read time, leave for a dispatch slot (shift),
// come back for another try (unshift), and time passes (tick). The model
// ranks by the effective priority at the current time, as the option
// describes it, `priority + (now - readAt) / aging`, recomputed at every
// step, while the buffer keeps one key per message: that they agree is the
// claim that aging never reorders waiting messages. Retries go first, in
// read order; otherwise the highest effective priority, then read order.
// When the buffer is full, both drop policies drop the lowest effective
// priority among the waiting ones and the arriving one (ties: the oldest
// under drop-oldest, the newest under drop-newest) until there is room or
// the arriving one went; reject turns the arriving one away; block keeps it.
//
// Priorities are multiples of 1/4, read times whole ms from an epoch-sized
// base, and agings powers of two (or Infinity), so both sides compute
// exactly and a tie in the model is a tie in the buffer.

type Op =
  | { op: 'add'; priority: number; bytes: number; after: number }
  | { op: 'shift' }
  | { op: 'unshift'; pick: number }
  | { op: 'tick'; after: number };

const ops = fc.array(
  fc.oneof(
    {
      arbitrary: fc.record({
        op: fc.constant('add' as const),
        priority: fc.integer({ min: -12, max: 12 }).map((quarters) => quarters / 4),
        bytes: fc.integer({ min: 0, max: 20 }),
        after: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5000 })),
      }),
      weight: 5,
    },
    { arbitrary: fc.constant({ op: 'shift' as const }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('unshift' as const), pick: fc.nat() }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('tick' as const), after: fc.integer({ min: 0, max: 5000 }) }), weight: 1 },
  ),
  { maxLength: 80, size: 'max' },
);

const limits = (overflow: OverflowPolicy) =>
  fc.record({
    messages: fc.integer({ min: 1, max: 6 }),
    bytes: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 30 })),
    overflow: fc.constant(overflow),
  });

const agings = fc.constantFrom(1, 256, 1024, 4096, Number.POSITIVE_INFINITY);

/** A shed as seqs, to compare. */
const seqs = (shed: Shed | undefined) =>
  shed === undefined ? undefined : { ...shed, dropped: shed.dropped.map((state) => state.seq), rejected: shed.rejected?.seq };

interface Waiting {
  readonly state: MessageState;
  readonly retry: boolean;
}

function check(limit: BufferLimit, aging: number, script: Op[]): void {
  const buffer = new InputBuffer(limit, aging);
  const message = messageMaker();
  let now = 1_700_000_000_000;
  const model: Waiting[] = [];
  /** Shifted out (at a worker): may come back with unshift. */
  const out: MessageState[] = [];
  const effective = (state: MessageState) => (state.priority as number) + (now - state.readAt) / aging;
  const bytes = () => model.reduce((sum, { state }) => sum + state.bytes, 0);
  const hasRoom = () => model.length < limit.messages && bytes() < limit.bytes;
  /** The next to leave: the first retry in read order, else the highest effective priority, read order on ties. */
  const next = (): Waiting | undefined =>
    [...model].sort((a, b) =>
      a.retry !== b.retry ? (a.retry ? -1 : 1) : a.retry ? a.state.seq - b.state.seq : effective(b.state) - effective(a.state) || a.state.seq - b.state.seq,
    )[0];
  /** The next to drop among `candidates`: the lowest effective priority, ties as the policy says. */
  const lowest = (candidates: MessageState[]): MessageState =>
    [...candidates].sort(
      (a, b) => effective(a) - effective(b) || (limit.overflow === 'drop-oldest' ? a.seq - b.seq : b.seq - a.seq),
    )[0] as MessageState;

  for (const [step, op] of script.entries()) {
    const at = `step ${step} (${op.op})`;
    if (op.op === 'add') {
      now += op.after;
      const state = message(`m${step}`, { bytes: op.bytes });
      state.readAt = now;
      state.priority = op.priority;
      let expected: Shed | undefined;
      if (limit.overflow === 'block' || hasRoom()) {
        model.push({ state, retry: false });
      } else if (limit.overflow === 'reject') {
        expected = { buffer: 'input', policy: 'reject', dropped: [], rejected: state };
      } else {
        const dropped: MessageState[] = [];
        let taken = true;
        while (!hasRoom() && model.length > 0) {
          const drop = lowest([...model.map((waiting) => waiting.state), state]);
          dropped.push(drop);
          if (drop === state) {
            taken = false;
            break;
          }
          model.splice(model.findIndex((waiting) => waiting.state === drop), 1);
        }
        if (taken) model.push({ state, retry: false });
        expected = { buffer: 'input', policy: limit.overflow, dropped, rejected: undefined };
      }
      assert.deepEqual(seqs(buffer.add(state)), seqs(expected), `${at}: what was shed`);
    } else if (op.op === 'shift') {
      const expected = next();
      if (expected !== undefined) model.splice(model.indexOf(expected), 1);
      assert.equal(buffer.shift(), expected?.state, `${at}: the highest leaves`);
      if (expected !== undefined) out.push(expected.state);
    } else if (op.op === 'unshift') {
      if (out.length > 0) {
        const [state] = out.splice(op.pick % out.length, 1) as [MessageState];
        buffer.unshift(state);
        model.push({ state, retry: true });
      }
    } else {
      now += op.after;
    }
    assert.equal(buffer.size, model.length, `${at}: size`);
    assert.equal(buffer.bytes, bytes(), `${at}: bytes`);
    assert.equal(buffer.full, !hasRoom(), `${at}: full`);
    assert.equal(buffer.peek(), next()?.state, `${at}: peek`);
  }
  const rest: MessageState[] = [];
  for (let state = buffer.shift(); state !== undefined; state = buffer.shift()) rest.push(state);
  const expected: number[] = [];
  for (let waiting = next(); waiting !== undefined; waiting = next()) {
    model.splice(model.indexOf(waiting), 1);
    expected.push(waiting.state.seq);
  }
  assert.deepEqual(
    rest.map((state) => state.seq),
    expected,
    'what is left leaves by rank',
  );
  assert.equal(buffer.bytes, 0);
  assert.equal(buffer.size, 0);
}

for (const policy of overflowPolicies) {
  test(`InputBuffer with priority, ${policy}: order with aging, what it sheds, retries in front, size, bytes and fullness follow an array model`, () => {
    fc.assert(
      fc.property(limits(policy), agings, ops, (limit, aging, script) => check(limit, aging, script)),
      { numRuns: 400 },
    );
  });
}

test('InputBuffer with priority: thousands of messages through both ends, past the heap rebuilds, still leave by rank and drop the lowest', () => {
  // Past the point where the lazily deleted heaps rebuild themselves: the
  // served messages are gone from the drop side and the dropped ones from
  // the serve side, and what is left still leaves in rank order.
  const limit: BufferLimit = { messages: 200, bytes: Number.POSITIVE_INFINITY, overflow: 'drop-oldest' };
  const buffer = new InputBuffer(limit, Number.POSITIVE_INFINITY);
  const message = messageMaker();
  const live = new Map<number, number>();
  let random = 12345;
  const next = () => (random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 20_000; i++) {
    const state = message(i);
    state.priority = Math.floor(next() * 50);
    const shed = buffer.add(state);
    live.set(state.seq, state.priority);
    for (const dropped of shed?.dropped ?? []) {
      assert.equal(live.delete(dropped.seq), true, 'a dropped message was waiting');
      assert.ok(
        [...live.values()].every((priority) => priority >= (dropped.priority as number)),
        `message ${dropped.seq} of priority ${dropped.priority} dropped while a lower one waits`,
      );
    }
    if (next() < 0.5) {
      const served = buffer.shift() as MessageState;
      assert.ok(
        [...live.values()].every((priority) => priority <= (served.priority as number)),
        `message ${served.seq} of priority ${served.priority} served while a higher one waits`,
      );
      live.delete(served.seq);
    }
    assert.equal(buffer.size, live.size);
  }
  const order: number[] = [];
  for (let state = buffer.shift(); state !== undefined; state = buffer.shift()) order.push(state.priority as number);
  assert.equal(order.length, live.size);
  assert.deepEqual(order, [...order].sort((a, b) => b - a));
});
