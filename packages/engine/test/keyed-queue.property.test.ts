import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InputBuffer } from '../src/buffers/input-buffer.js';
import { KeyedQueue } from '../src/buffers/keyed-queue.js';
import type { MessageState } from '../src/run/message-state.js';

/** The model: every waiting message, the keys with one out, and which message each busy key has out. */
interface Model {
  waiting: MessageState[];
  out: Map<string, MessageState>;
}

/** Whether `m` could leave now: no key, or its key is free and it is its key's oldest waiting message. */
function servable(model: Model, m: MessageState): boolean {
  if (m.key === undefined) return true;
  if (model.out.has(m.key)) return false;
  return model.waiting.every((o) => o.key !== m.key || o.seq >= m.seq);
}

function expectedNext(model: Model): MessageState | undefined {
  let best: MessageState | undefined;
  for (const m of model.waiting) if (servable(model, m) && (best === undefined || m.seq < best.seq)) best = m;
  return best;
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), key: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }), bytes: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant('shift' as const) }),
  fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('retry' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('dropOldest' as const) }),
);

test('the keyed queue serves the oldest message whose key is free, each key in read order, against a model', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const queue = new KeyedQueue();
      const model: Model = { waiting: [], out: new Map() };
      let seq = 0;
      for (const o of ops) {
        if (o.kind === 'add') {
          const state = { seq: seq++, key: o.key === undefined ? undefined : `k${o.key}`, bytes: o.bytes } as MessageState;
          queue.add(state);
          model.waiting.push(state);
        } else if (o.kind === 'shift' || o.kind === 'dropOldest') {
          const expected = expectedNext(model);
          const got = o.kind === 'shift' ? queue.shift() : queue.removeOldest();
          queue.promote(); // as the input buffer does once it dropped what it drops
          assert.equal(got, expected);
          if (expected === undefined) continue;
          model.waiting.splice(model.waiting.indexOf(expected), 1);
          if (o.kind === 'shift' && expected.key !== undefined) model.out.set(expected.key, expected);
        } else {
          const busy = [...model.out.keys()];
          if (busy.length === 0) continue;
          const key = busy[o.pick % busy.length] as string;
          const state = model.out.get(key) as MessageState;
          model.out.delete(key);
          if (o.kind === 'free') {
            queue.free(key);
          } else {
            // A retry goes back in, first of its key (every other waiting one of its key was read after it).
            queue.unshift(state);
            model.waiting.push(state);
          }
        }
        assert.equal(queue.peek(), expectedNext(model));
        assert.equal(queue.size, model.waiting.length);
        const ready = model.waiting.filter((m) => servable(model, m));
        assert.equal(queue.ready, ready.length);
        assert.equal(queue.readyBytes, ready.reduce((sum, m) => sum + m.bytes, 0));
      }
    }),
    { numRuns: 500 },
  );
});

test('a message without a key is never held back', () => {
  const queue = new KeyedQueue();
  const a = { seq: 0, key: 'a', bytes: 0 } as MessageState;
  const a2 = { seq: 1, key: 'a', bytes: 0 } as MessageState;
  const free = { seq: 2, key: undefined, bytes: 0 } as MessageState;
  queue.add(a);
  queue.add(a2);
  queue.add(free);
  assert.equal(queue.shift(), a);
  assert.equal(queue.shift(), free, 'a2 waits for a; the keyless message does not');
  assert.equal(queue.shift(), undefined);
  queue.free('a');
  assert.equal(queue.shift(), a2);
});

test("drop-oldest under ordering: 'key' drops one message for one that arrives, not a key's whole backlog", () => {
  const buffer = new InputBuffer({ messages: 2, bytes: Number.POSITIVE_INFINITY, overflow: 'drop-oldest' }, undefined, true);
  const message = (seq: number, key: string) => ({ seq, key, bytes: 0 }) as MessageState;
  // Key a: four waiting, the first ready (a is free); key b: one ready. Two ready: the limit.
  for (const state of [message(0, 'a'), message(1, 'a'), message(2, 'a'), message(3, 'a'), message(4, 'b')]) assert.equal(buffer.add(state), undefined);
  const shed = buffer.add(message(5, 'c'));
  assert.deepEqual(shed?.dropped.map((state) => state.seq), [0], 'only the oldest ready message');
  assert.equal(buffer.size, 5);
  assert.deepEqual([buffer.shift()?.seq, buffer.shift()?.seq, buffer.shift()?.seq], [1, 4, 5], "a's next message took its place");
});
