import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { overflowPolicies } from '../src/buffers/buffer-limit.js';
import type { BufferLimit, OverflowPolicy } from '../src/buffers/buffer-limit.js';
import { OutputBuffer } from '../src/buffers/output-buffer.js';
import { OrderedRelease, UnorderedRelease } from '../src/buffers/release-queue.js';
import type { Shed } from '../src/buffers/shed.js';
import { sizeOf } from '../src/buffers/size-of.js';
import { BufferFullError, TransformError } from '../src/errors.js';
import type { MessageState } from '../src/run/message-state.js';
import { messageMaker } from './helpers/messages.js';

// The output buffer against a model, over each release queue and overflow
// policy, with a message limit and in some runs a byte limit. A few messages
// settle in a random order (completed with some values, or failed for good),
// some are dropped before they get here (the run then calls `skip`), the
// consumer takes, and at random points a message about to start asks
// `mayStart`. The model:
// - it has room while it holds fewer than `messages` and its bytes (each
//   completed message weighs `sizeOf(values)`, only with a byte limit) are
//   under `bytes`; without room, drop-newest drops the arriving message,
//   drop-oldest drops the longest waiting until there is room, reject adds an
//   arriving message with outputs as a failed record (it weighs nothing) and
//   one that already failed as it is;
// - unordered: first settled, first out; ordered: the lowest seq that has
//   neither left nor been dropped, once it is here;
// - mayStart under block: the messages here, `reserved` and this one fit and
//   the bytes are under the limit, or nothing can leave before it (ordered:
//   it is that lowest seq); always under the other policies.

const release = { unordered: () => new UnorderedRelease(), ordered: () => new OrderedRelease() };
type Order = keyof typeof release;

type Op = { op: 'settle'; pick: number } | { op: 'take' } | { op: 'drop'; pick: number } | { op: 'mayStart'; pick: number; reserved: number };

const ops = fc.array(
  fc.oneof(
    { arbitrary: fc.record({ op: fc.constant('settle' as const), pick: fc.nat() }), weight: 4 },
    { arbitrary: fc.constant({ op: 'take' as const }), weight: 3 },
    { arbitrary: fc.record({ op: fc.constant('drop' as const), pick: fc.nat() }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('mayStart' as const), pick: fc.nat(), reserved: fc.integer({ min: 0, max: 4 }) }), weight: 2 },
  ),
  { maxLength: 50, size: 'max' },
);

/** What each message settles with: its values, or `failed`. */
const results = fc.array(fc.oneof(fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }), fc.constant('failed' as const)), {
  minLength: 1,
  maxLength: 10,
  size: 'max',
});

const limits = (overflow: OverflowPolicy) =>
  fc.record({
    messages: fc.integer({ min: 1, max: 4 }),
    bytes: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 60 })),
    overflow: fc.constant(overflow),
  });

const failure = { name: 'Error', code: 'E_FAILED', message: 'failed for good', stack: undefined };

/** A shed as seqs, to compare. */
const seqs = (shed: Shed | undefined) =>
  shed === undefined ? undefined : { ...shed, dropped: shed.dropped.map((state) => state.seq), rejected: shed.rejected?.seq };

function check(order: Order, limit: BufferLimit, settles: (string[] | 'failed')[], script: Op[]): void {
  const buffer = new OutputBuffer(release[order](), limit);
  const sized = Number.isFinite(limit.bytes);
  const message = messageMaker();
  const states = settles.map((_, i) => message(`m${i}`));
  /** Not settled yet and not dropped, by seq. */
  const pending = states.map((state) => state.seq);
  /** Here, in the order they settled, with their weight. */
  const model: { state: MessageState; bytes: number }[] = [];
  /** Left (taken) or dropped: the ordered queue does not wait for these. */
  const gone = new Set<number>();
  const taken: number[] = [];
  const dropped: number[] = [];
  const bytes = () => model.reduce((sum, entry) => sum + entry.bytes, 0);
  const hasRoom = () => model.length < limit.messages && bytes() < limit.bytes;
  const next = () => {
    let seq = 0;
    while (gone.has(seq)) seq++;
    return seq;
  };
  /** Dropped: the tracker acks it and the run tells the buffer not to wait for it. */
  const drop = (state: MessageState) => {
    gone.add(state.seq);
    dropped.push(state.seq);
    buffer.skip(state.seq);
  };

  const settle = (state: MessageState, at: string) => {
    const result = settles[state.seq] as string[] | 'failed';
    if (result === 'failed') {
      state.values = [];
      state.error = new TransformError(failure);
    } else {
      state.values = result;
    }
    const weight = sized && state.values.length > 0 ? sizeOf(state.values) : 0;
    let expected: Shed | undefined;
    if (limit.overflow === 'block' || hasRoom()) {
      model.push({ state, bytes: weight });
    } else if (limit.overflow === 'drop-newest') {
      expected = { buffer: 'output', policy: 'drop-newest', dropped: [state], rejected: undefined };
    } else if (limit.overflow === 'drop-oldest') {
      const out: MessageState[] = [];
      while (!hasRoom() && model.length > 0) out.push((model.shift() as { state: MessageState }).state);
      model.push({ state, bytes: weight });
      expected = { buffer: 'output', policy: 'drop-oldest', dropped: out, rejected: undefined };
    } else if (state.error === undefined) {
      model.push({ state, bytes: 0 });
      expected = { buffer: 'output', policy: 'reject', dropped: [], rejected: state };
    } else {
      model.push({ state, bytes: 0 });
    }
    const shed = buffer.add(state);
    assert.deepEqual(seqs(shed), seqs(expected), `${at}: what was shed`);
    for (const out of shed?.dropped ?? []) drop(out);
    if (shed?.rejected !== undefined) {
      // As the tracker records a rejection: a failed record without outputs.
      shed.rejected.error = new BufferFullError('output', limit);
      shed.rejected.values = [];
    }
    const entry = model.find((kept) => kept.state === state);
    if (entry !== undefined) assert.equal(state.outputBytes, entry.bytes, `${at}: its output bytes`);
  };

  const take = (at: string) => {
    let index = -1;
    if (order === 'unordered') index = model.length > 0 ? 0 : -1;
    else index = model.findIndex((entry) => entry.state.seq === next());
    const expected = index === -1 ? undefined : (model.splice(index, 1)[0] as { state: MessageState }).state;
    const state = buffer.take();
    assert.equal(state?.seq, expected?.seq, `${at}: the message that leaves`);
    if (expected !== undefined) {
      gone.add(expected.seq);
      taken.push(expected.seq);
    }
    return expected;
  };

  for (const [step, op] of script.entries()) {
    const at = `step ${step} (${op.op})`;
    if (op.op === 'take') {
      take(at);
    } else if (op.op === 'settle' || op.op === 'drop' || op.op === 'mayStart') {
      if (pending.length === 0) continue;
      if (op.op === 'mayStart') {
        const state = states[pending[op.pick % pending.length] as number] as MessageState;
        const fits = model.length + op.reserved + 1 <= limit.messages && bytes() < limit.bytes;
        const nothingBefore = order === 'ordered' && state.seq === next();
        const expected = limit.overflow !== 'block' || fits || nothingBefore;
        assert.equal(buffer.mayStart(state, op.reserved), expected, `${at}: message ${state.seq} may start with ${op.reserved} reserved`);
        continue;
      }
      const [seq] = pending.splice(op.pick % pending.length, 1) as [number];
      const state = states[seq] as MessageState;
      if (op.op === 'settle') settle(state, at);
      else drop(state);
    }
    assert.equal(buffer.size, model.length, `${at}: size`);
    assert.equal(buffer.bytes, bytes(), `${at}: bytes`);
  }
  // The rest settle, and the consumer takes everything: each message leaves
  // once or was dropped, and nothing is left behind.
  for (const seq of pending) settle(states[seq] as MessageState, `final settle of ${seq}`);
  while (take('final take') !== undefined);
  assert.equal(buffer.size, 0, 'nothing left');
  assert.equal(buffer.bytes, 0, 'no bytes left');
  assert.deepEqual(
    [...taken, ...dropped].sort((a, b) => a - b),
    states.map((state) => state.seq),
    'every message left once or was dropped',
  );
  if (order === 'ordered') assert.deepEqual(taken, [...taken].sort((a, b) => a - b), 'ordered: they left in read order');
}

for (const order of ['unordered', 'ordered'] as const) {
  for (const policy of overflowPolicies) {
    test(`OutputBuffer, ${order}, ${policy}: add, take, skip, bytes and mayStart follow a model`, () => {
      fc.assert(
        fc.property(limits(policy), results, ops, (limit, settles, script) => check(order, limit, settles, script)),
        { numRuns: 200 },
      );
    });
  }
}

test('OutputBuffer: values are weighed only with a byte limit', () => {
  const message = messageMaker();
  const unsized = new OutputBuffer(new UnorderedRelease(), { messages: 5, bytes: Number.POSITIVE_INFINITY, overflow: 'block' });
  const sized = new OutputBuffer(new UnorderedRelease(), { messages: 5, bytes: 1000, overflow: 'block' });
  assert.deepEqual([unsized.sized, sized.sized], [false, true]);
  const a = message('a');
  a.values = ['abc', 'de'];
  unsized.add(a);
  assert.deepEqual([a.outputBytes, unsized.bytes], [0, 0]);
  const b = message('b');
  b.values = ['abc', 'de'];
  sized.add(b);
  assert.deepEqual([b.outputBytes, sized.bytes], [8 + 3 + 8 + 2, 21], 'sizeOf: 8 per entry plus the UTF-8 bytes of each string');
  assert.equal(sized.take(), b);
  assert.equal(sized.bytes, 0);
});
