import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check, closedLoop, warmupMessages } from '../src/overhead-loop.js';
import { tasksPerWorker } from '../src/overhead-pools.js';

test('the closed loop keeps exactly `concurrency` calls in flight until the input runs out, and sums the replies', async () => {
  const waiting: (() => void)[] = [];
  const seen: number[] = [];
  let active = 0;
  let maxActive = 0;
  const call = (x: number) => {
    seen.push(x);
    active++;
    maxActive = Math.max(maxActive, active);
    return new Promise<number>((resolve) => {
      waiting.push(() => {
        active--;
        resolve(x + 1);
      });
    });
  };
  const loop = closedLoop(10, 3, call);
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  await settle();
  assert.equal(active, 3);
  // Answer the oldest call each time: another is sent at once while input remains.
  for (let answered = 0; answered < 10; answered++) {
    waiting.shift()?.();
    await settle();
    assert.equal(active, Math.min(3, 10 - answered - 1));
  }
  assert.equal(await loop, 55); // 1 + 2 + ... + 10
  assert.equal(maxActive, 3);
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('check accepts only the sum of x + 1 over 0..n-1', () => {
  check('ok', 10, 55);
  assert.throws(() => check('lost one', 10, 54), /lost one: replies sum to 54, expected 55/);
});

test('every pool holds the in-flight share per worker and warms up on threads x 1000 messages, as the engine does', () => {
  assert.equal(tasksPerWorker({ messages: 1, concurrency: 64, threads: 2 }), 32);
  assert.equal(tasksPerWorker({ messages: 1, concurrency: 256, threads: 3 }), 86);
  assert.equal(warmupMessages(2), 2000);
});
