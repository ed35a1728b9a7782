import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { OrderedRelease, UnorderedRelease } from '../src/buffers/release-queue.js';
import { BatchMode } from '../src/run/batch-mode.js';
import type { MessageState } from '../src/run/message-state.js';
import { messageMaker } from './helpers/messages.js';

// The release queues alone, against models, with messages settling in a
// random order and some dropped on the way:
// - UnorderedRelease: a FIFO of settled messages;
// - OrderedRelease: the lowest seq that has neither left nor been dropped
//   leaves once it has settled; removeOldest takes the first settled (and the
//   order stops waiting for it); needs(m) says m is that lowest seq;
// - BatchMode: its reading rule (a new batch only with nothing in flight and
//   no sealed batch waiting to leave; a batch is full at `size`; seal closes a
//   non-empty batch) and its release rule (the oldest batch leaves whole, in
//   read order, once sealed and all settled; sealed batches queue behind it).

type ReleaseOp =
  | { op: 'settle'; pick: number }
  | { op: 'drop'; pick: number }
  | { op: 'take' }
  | { op: 'removeOldest' }
  | { op: 'needs'; pick: number };

/** Messages 0..count-1 in read order; `pick` chooses among those not settled or dropped yet. */
const settleOrders = fc.record({
  count: fc.integer({ min: 1, max: 12 }),
  script: fc.array(
    fc.oneof(
      { arbitrary: fc.record({ op: fc.constant('settle' as const), pick: fc.nat() }), weight: 4 },
      { arbitrary: fc.record({ op: fc.constant('drop' as const), pick: fc.nat() }), weight: 1 },
      { arbitrary: fc.constant({ op: 'take' as const }), weight: 3 },
      { arbitrary: fc.constant({ op: 'removeOldest' as const }), weight: 1 },
      { arbitrary: fc.record({ op: fc.constant('needs' as const), pick: fc.nat() }), weight: 1 },
    ),
    { maxLength: 60, size: 'max' },
  ),
});

/** Runs a script against `queue` and the model's `next` rule; returns what left, in order. */
function runRelease(order: 'unordered' | 'ordered', count: number, script: ReleaseOp[]): number[] {
  const queue = order === 'ordered' ? new OrderedRelease() : new UnorderedRelease();
  const message = messageMaker();
  const states = Array.from({ length: count }, (_, i) => message(`m${i}`));
  const pending = states.map((state) => state.seq);
  /** Settled and here, first settled first. */
  const model: MessageState[] = [];
  const gone = new Set<number>();
  const left: number[] = [];
  const removed: number[] = [];
  const next = () => {
    let seq = 0;
    while (gone.has(seq)) seq++;
    return seq;
  };
  const take = (at: string) => {
    const index = order === 'unordered' ? (model.length > 0 ? 0 : -1) : model.findIndex((state) => state.seq === next());
    const expected = index === -1 ? undefined : (model.splice(index, 1)[0] as MessageState);
    assert.equal(queue.take()?.seq, expected?.seq, `${at}: the message that leaves`);
    if (expected !== undefined) {
      gone.add(expected.seq);
      left.push(expected.seq);
    }
    return expected;
  };
  for (const [step, op] of script.entries()) {
    const at = `step ${step} (${op.op})`;
    if (op.op === 'take') {
      take(at);
    } else if (op.op === 'removeOldest') {
      const expected = model.shift();
      assert.equal(queue.removeOldest()?.seq, expected?.seq, `${at}: the first settled is removed`);
      if (expected !== undefined) {
        gone.add(expected.seq);
        removed.push(expected.seq);
      }
    } else if (pending.length > 0) {
      const seq = pending[op.pick % pending.length] as number;
      if (op.op === 'needs') {
        assert.equal(queue.needs(states[seq] as MessageState), order === 'ordered' && seq === next(), `${at}: needs ${seq}`);
        continue;
      }
      pending.splice(pending.indexOf(seq), 1);
      if (op.op === 'settle') {
        queue.add(states[seq] as MessageState);
        model.push(states[seq] as MessageState);
      } else {
        gone.add(seq);
        removed.push(seq);
        queue.skip(seq);
      }
    }
    assert.equal(queue.size, model.length, `${at}: size`);
  }
  for (const seq of pending) {
    queue.add(states[seq] as MessageState);
    model.push(states[seq] as MessageState);
  }
  while (take('final take') !== undefined);
  assert.equal(queue.size, 0, 'nothing left behind');
  assert.deepEqual(
    [...left, ...removed].sort((a, b) => a - b),
    states.map((state) => state.seq),
    'every message left once or was dropped',
  );
  return left;
}

test('UnorderedRelease: first settled, first out; removeOldest takes the first settled; it never needs a message', () => {
  fc.assert(
    fc.property(settleOrders, ({ count, script }) => {
      runRelease('unordered', count, script);
    }),
    { numRuns: 300 },
  );
});

test('OrderedRelease: read order with dropped seqs skipped, whatever the settle order; removeOldest and needs', () => {
  fc.assert(
    fc.property(settleOrders, ({ count, script }) => {
      const left = runRelease('ordered', count, script);
      assert.deepEqual(left, [...left].sort((a, b) => a - b), 'in read order');
    }),
    { numRuns: 300 },
  );
});

test('OrderedRelease: a skip of a seq already passed changes nothing', () => {
  const queue = new OrderedRelease();
  const message = messageMaker();
  const [a, b, c] = [message('a'), message('b'), message('c')];
  queue.add(a);
  assert.equal(queue.take(), a);
  queue.skip(a.seq);
  queue.add(c);
  assert.equal(queue.take(), undefined, 'waits for b');
  assert.ok(queue.needs(b));
  queue.add(b);
  assert.deepEqual([queue.take(), queue.take(), queue.take()], [b, c, undefined]);
});

type BatchOp =
  | { op: 'read' }
  | { op: 'strayRead' }
  | { op: 'seal' }
  | { op: 'settle'; pick: number }
  | { op: 'take' }
  | { op: 'ack' };

const batchScripts = fc.record({
  size: fc.integer({ min: 1, max: 4 }),
  script: fc.array(
    fc.oneof(
      { arbitrary: fc.constant({ op: 'read' as const }), weight: 4 },
      { arbitrary: fc.constant({ op: 'strayRead' as const }), weight: 1 },
      { arbitrary: fc.constant({ op: 'seal' as const }), weight: 1 },
      { arbitrary: fc.record({ op: fc.constant('settle' as const), pick: fc.nat() }), weight: 3 },
      { arbitrary: fc.constant({ op: 'take' as const }), weight: 3 },
      { arbitrary: fc.constant({ op: 'ack' as const }), weight: 2 },
    ),
    { maxLength: 80, size: 'max' },
  ),
});

interface ModelBatch {
  readonly number: number;
  readonly seqs: number[];
  sealed: boolean;
  settled: number;
  taken: number;
}

function checkBatches(size: number, script: BatchOp[]): void {
  const mode = new BatchMode(size);
  const message = messageMaker();
  const states: MessageState[] = [];
  const batches: ModelBatch[] = [];
  const unsettled: MessageState[] = [];
  /** Taken, not yet acked: the consumer holds it until it asks for the next. */
  let held: MessageState | undefined;
  const left: number[] = [];
  let acked = 0;
  let strayed = false;
  const inFlight = () => states.length - acked;
  const open = () => batches.find((batch) => !batch.sealed);
  /** The oldest batch with messages yet to leave: the only one that may release. */
  const head = () => batches.find((batch) => batch.taken < batch.seqs.length || !batch.sealed);
  const sealedWaiting = () => batches.some((batch) => batch.sealed && batch.taken < batch.seqs.length);
  const mayRead = () => !sealedWaiting() && ((open()?.seqs.length ?? 0) > 0 || inFlight() === 0);
  const read = (at: string) => {
    let batch = open();
    if (batch === undefined) {
      batch = { number: batches.length, seqs: [], sealed: false, settled: 0, taken: 0 };
      batches.push(batch);
    }
    const number = mode.read();
    assert.equal(number, batch.number, `${at}: the batch number`);
    const state = message(`m${states.length}`, { batch: number });
    states.push(state);
    unsettled.push(state);
    batch.seqs.push(state.seq);
    // As the run does: a full batch is sealed at once.
    assert.equal(mode.full, batch.seqs.length >= size, `${at}: full`);
    if (mode.full) seal(at);
  };
  const seal = (at: string) => {
    const batch = open();
    const expected = batch !== undefined && batch.seqs.length > 0;
    assert.equal(mode.seal(), expected, `${at}: seal closes a batch only if one is open`);
    if (batch !== undefined && expected) batch.sealed = true;
  };
  const take = (at: string) => {
    const batch = head();
    const leaves = batch !== undefined && batch.sealed && batch.settled === batch.seqs.length;
    const expected = leaves ? (batch.seqs[batch.taken] as number) : undefined;
    const state = mode.take();
    assert.equal(state?.seq, expected, `${at}: the message that leaves`);
    if (state !== undefined && batch !== undefined) {
      batch.taken++;
      held = state;
      left.push(state.seq);
    }
    return state;
  };
  for (const [step, op] of script.entries()) {
    const at = `step ${step} (${op.op})`;
    if (op.op === 'read') {
      assert.equal(mode.mayRead(inFlight()), mayRead(), `${at}: mayRead(${inFlight()})`);
      if (mayRead()) read(at);
    } else if (op.op === 'strayRead') {
      // A stop takes one item from the reader whatever the rule says.
      strayed = true;
      read(at);
    } else if (op.op === 'seal') {
      seal(at);
    } else if (op.op === 'settle') {
      if (unsettled.length === 0) continue;
      const [state] = unsettled.splice(op.pick % unsettled.length, 1) as [MessageState];
      mode.add(state);
      (batches[state.batch] as ModelBatch).settled++;
    } else {
      // The consumer asks for the next record: the one it held is acked,
      // then (op 'take') the run takes the next if one may leave.
      if (held !== undefined) acked++;
      held = undefined;
      if (op.op === 'take') take(at);
    }
    const here = batches.reduce((sum, batch) => sum + batch.settled - batch.taken, 0);
    assert.equal(mode.size, here, `${at}: size`);
    if (!strayed) {
      const inFlightBatches = new Set(states.slice(acked).map((state) => state.batch));
      assert.ok(inFlightBatches.size <= 1, `${at}: messages of one batch in flight at a time (${[...inFlightBatches].join()})`);
    }
  }
  // The source ends: the open batch is sealed, everything settles and leaves.
  seal('final seal');
  for (const state of unsettled) {
    mode.add(state);
    (batches[state.batch] as ModelBatch).settled++;
  }
  while (take('final take') !== undefined);
  assert.deepEqual(left, states.map((state) => state.seq), 'every message left once, in read order');
  assert.equal(mode.size, 0);
}

test('BatchMode: the reading rule and the release rule follow a model of batches', () => {
  fc.assert(
    fc.property(batchScripts, ({ size, script }) => checkBatches(size, script)),
    { numRuns: 300 },
  );
});

test('BatchMode: a batch leaves whole or not at all: it drops nothing and needs every message', () => {
  const mode = new BatchMode(2);
  const message = messageMaker();
  assert.throws(() => mode.skip(), /does not drop/);
  assert.throws(() => mode.removeOldest(), /does not drop/);
  assert.equal(mode.needs(), true);
  assert.equal(mode.seal(), false, 'nothing read: no batch to seal');
  const a = message('a', { batch: mode.read() });
  mode.add(a);
  assert.equal(mode.take(), undefined, 'settled but not sealed');
  assert.equal(mode.seal(), true);
  assert.equal(mode.take(), a);
});
