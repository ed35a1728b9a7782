import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { overflowPolicies } from '../src/buffers/buffer-limit.js';
import type { BufferLimit, OverflowPolicy } from '../src/buffers/buffer-limit.js';
import { InputBuffer } from '../src/buffers/input-buffer.js';
import type { Shed } from '../src/buffers/shed.js';
import type { MessageState } from '../src/run/message-state.js';
import { messageMaker } from './helpers/messages.js';

// The input buffer against an array: messages arrive (add), leave for a
// dispatch slot (shift) and come back for another try (unshift: in read
// order, ahead of every message read after it), under each overflow policy with a message limit and, in some
// runs, a byte limit. The model takes an arriving message while it holds
// fewer than `messages` and its bytes are under `bytes` (a buffer under its
// byte limit takes one more message whatever its size); otherwise the policy
// decides: block keeps it anyway (the reader is what stops), drop-newest
// drops it, reject turns it away, drop-oldest drops from the front until
// there is room and keeps it.

type Op = { op: 'add'; bytes: number } | { op: 'shift' } | { op: 'unshift'; pick: number };

const ops = fc.array(
  fc.oneof(
    { arbitrary: fc.record({ op: fc.constant('add' as const), bytes: fc.integer({ min: 0, max: 20 }) }), weight: 4 },
    { arbitrary: fc.constant({ op: 'shift' as const }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('unshift' as const), pick: fc.nat() }), weight: 1 },
  ),
  { maxLength: 60, size: 'max' },
);

const limits = (overflow: OverflowPolicy) =>
  fc.record({
    messages: fc.integer({ min: 1, max: 5 }),
    bytes: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 25 })),
    overflow: fc.constant(overflow),
  });

/** A shed as seqs, to compare. */
const seqs = (shed: Shed | undefined) =>
  shed === undefined ? undefined : { ...shed, dropped: shed.dropped.map((state) => state.seq), rejected: shed.rejected?.seq };

function check(limit: BufferLimit, script: Op[]): void {
  const buffer = new InputBuffer(limit);
  const message = messageMaker();
  const model: MessageState[] = [];
  /** Shifted out (at a worker): may come back with unshift. */
  const out: MessageState[] = [];
  const bytes = () => model.reduce((sum, state) => sum + state.bytes, 0);
  const hasRoom = () => model.length < limit.messages && bytes() < limit.bytes;
  for (const [step, op] of script.entries()) {
    const at = `step ${step} (${op.op})`;
    if (op.op === 'add') {
      const state = message(`m${step}`, { bytes: op.bytes });
      let expected: Shed | undefined;
      if (limit.overflow === 'block' || hasRoom()) {
        model.push(state);
      } else if (limit.overflow === 'drop-newest') {
        expected = { buffer: 'input', policy: 'drop-newest', dropped: [state], rejected: undefined };
      } else if (limit.overflow === 'reject') {
        expected = { buffer: 'input', policy: 'reject', dropped: [], rejected: state };
      } else {
        const dropped: MessageState[] = [];
        while (!hasRoom() && model.length > 0) dropped.push(model.shift() as MessageState);
        model.push(state);
        expected = { buffer: 'input', policy: 'drop-oldest', dropped, rejected: undefined };
      }
      assert.deepEqual(seqs(buffer.add(state)), seqs(expected), `${at}: what was shed`);
    } else if (op.op === 'shift') {
      const expected = model.shift();
      assert.equal(buffer.shift(), expected, `${at}: the oldest leaves`);
      if (expected !== undefined) out.push(expected);
    } else if (out.length > 0) {
      const [state] = out.splice(op.pick % out.length, 1) as [MessageState];
      buffer.unshift(state);
      // Back in read order: ahead of every message read after it.
      const index = model.findIndex((other) => other.seq > state.seq);
      model.splice(index === -1 ? model.length : index, 0, state);
    }
    assert.equal(buffer.size, model.length, `${at}: size`);
    assert.equal(buffer.bytes, bytes(), `${at}: bytes`);
    assert.equal(buffer.full, !hasRoom(), `${at}: full`);
    assert.equal(buffer.peek(), model[0], `${at}: peek`);
  }
  const rest: MessageState[] = [];
  for (let state = buffer.shift(); state !== undefined; state = buffer.shift()) rest.push(state);
  assert.deepEqual(
    rest.map((state) => state.seq),
    model.map((state) => state.seq),
    'what is left leaves front first',
  );
  assert.equal(buffer.bytes, 0);
}

for (const policy of overflowPolicies) {
  test(`InputBuffer, ${policy}: what it keeps, sheds and rejects, its order, size, bytes and fullness follow an array model`, () => {
    fc.assert(
      fc.property(limits(policy), ops, (limit, script) => check(limit, script)),
      { numRuns: 300 },
    );
  });
}

test('InputBuffer: under its byte limit it takes one more message whatever its size, so one larger than the limit passes alone', () => {
  const limit = (overflow: OverflowPolicy): BufferLimit => ({ messages: 10, bytes: 10, overflow });
  const message = messageMaker();
  for (const overflow of ['drop-newest', 'reject'] as const) {
    const buffer = new InputBuffer(limit(overflow));
    const big = message('big', { bytes: 100 });
    assert.equal(buffer.add(big), undefined, `${overflow}: an empty buffer takes 100 bytes under a 10-byte limit`);
    assert.ok(buffer.full);
    const small = message('small', { bytes: 1 });
    const shed: Shed =
      overflow === 'reject'
        ? { buffer: 'input', policy: overflow, dropped: [], rejected: small }
        : { buffer: 'input', policy: overflow, dropped: [small], rejected: undefined };
    assert.deepEqual(seqs(buffer.add(small)), seqs(shed), `${overflow}: then it is full`);
  }
  const buffer = new InputBuffer(limit('drop-oldest'));
  const nine = message('nine', { bytes: 9 });
  const big = message('big', { bytes: 100 });
  assert.equal(buffer.add(nine), undefined);
  assert.equal(buffer.add(big), undefined, 'at 9 of 10 bytes it takes 100 more');
  assert.equal(buffer.bytes, 109);
  const one = message('one', { bytes: 1 });
  const shed: Shed = { buffer: 'input', policy: 'drop-oldest', dropped: [nine, big], rejected: undefined };
  assert.deepEqual(seqs(buffer.add(one)), seqs(shed), 'both go: without the first it is still over');
  assert.deepEqual([buffer.size, buffer.bytes, buffer.full], [1, 1, false]);
});
