import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Deque } from '../src/buffers/deque.js';

test('Deque behaves as an array used as a queue (push, unshift, shift, peek), across compactions', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constant('shift' as const), fc.constant('peek' as const), fc.integer(), fc.integer().map((n) => ({ front: n }))), {
        maxLength: 5000,
      }),
      (ops) => {
        const deque = new Deque<number>();
        const model: number[] = [];
        for (const op of ops) {
          if (op === 'shift') assert.equal(deque.shift(), model.shift());
          else if (op === 'peek') assert.equal(deque.peek(), model[0]);
          else if (typeof op === 'number') {
            deque.push(op);
            model.push(op);
          } else {
            deque.unshift(op.front);
            model.unshift(op.front);
          }
          assert.equal(deque.size, model.length);
        }
        while (model.length > 0) assert.equal(deque.shift(), model.shift());
        assert.equal(deque.shift(), undefined);
      },
    ),
    { numRuns: 200 },
  );
  // Long enough to compact (more than 1,024 shifted while more remain).
  const deque = new Deque<number>();
  for (let i = 0; i < 5000; i++) deque.push(i);
  for (let i = 0; i < 3000; i++) assert.equal(deque.shift(), i);
  deque.unshift(-1);
  assert.equal(deque.size, 2001);
  assert.equal(deque.shift(), -1);
  for (let i = 3000; i < 5000; i++) assert.equal(deque.shift(), i);
  assert.equal(deque.size, 0);
});

test('Deque.insert puts an item before the first that follows it, as a sorted insert into an array would', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 40 }), fc.nat({ max: 45 }), (values, shifts) => {
      // Some shifted out first, so that the head has moved; the rest stay in front.
      const deque = new Deque<number>();
      for (let i = 0; i < 50; i++) deque.push(-1);
      for (let i = 0; i < shifts; i++) deque.shift();
      const model: number[] = Array.from({ length: 50 - shifts }, () => -1);
      for (const value of values) {
        deque.insert(value, (other) => other > value);
        const index = model.findIndex((other) => other > value);
        model.splice(index === -1 ? model.length : index, 0, value);
      }
      const out: number[] = [];
      while (deque.size > 0) out.push(deque.shift() as number);
      assert.deepEqual(out, model);
    }),
    { numRuns: 200 },
  );
});
