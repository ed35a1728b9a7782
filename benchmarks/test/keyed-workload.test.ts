import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idealSeconds, keyIndexes, keyedMessages, sleeps } from '../src/keyed-workload.js';
import type { KeyedMessage, KeyedWorkload } from '../src/keyed-workload.js';

const workload = (assignment: KeyedWorkload['assignment'], messages = 2000): KeyedWorkload => ({ messages, maxSleepMs: 5, assignment, seed: 42 });

test('sleeps are the same for a seed, different for another, and from 0 to the maximum', () => {
  const a = sleeps(workload('random'));
  assert.deepEqual(a, sleeps(workload('round-robin')));
  assert.notDeepEqual(a, sleeps({ ...workload('random'), seed: 43 }));
  assert.equal(a.length, 2000);
  assert.ok(a.every((ms) => ms >= 0 && ms < 5));
  // Uniform over [0, 5): the mean of 2,000 draws is within 0.25 of 2.5 (about 7 standard errors).
  const mean = a.reduce((s, ms) => s + ms, 0) / a.length;
  assert.ok(Math.abs(mean - 2.5) < 0.25, `mean ${mean}`);
});

test('round-robin gives message i the key i mod n', () => {
  assert.deepEqual([...keyIndexes(workload('round-robin', 7), 3)], [0, 1, 2, 0, 1, 2, 0]);
  assert.deepEqual([...keyIndexes(workload('round-robin', 4), 1)], [0, 0, 0, 0]);
  assert.deepEqual(
    keyedMessages(workload('round-robin', 3), 2).map((m) => m.key),
    ['k0', 'k1', 'k0'],
  );
});

test('random keys are seeded, within range, use every key of 10, and leave the sleeps alone', () => {
  const keys = keyIndexes(workload('random'), 10);
  assert.deepEqual(keys, keyIndexes(workload('random'), 10));
  assert.ok(keys.every((k) => k < 10));
  assert.equal(new Set(keys).size, 10);
  assert.notDeepEqual([...keys], [...keyIndexes(workload('round-robin'), 10)]);
  assert.deepEqual(
    keyedMessages(workload('random'), 10).map((m) => m.ms),
    [...sleeps(workload('random'))],
  );
});

test('a key count that is not a whole number from 1 is refused', () => {
  for (const keys of [0, 1.5, Number.NaN, -1]) assert.throws(() => keyIndexes(workload('random'), keys), RangeError);
});

test('the ideal is the total over the concurrency, or the busiest key when keyed', () => {
  const messages: KeyedMessage[] = [
    { ms: 4, key: 'a' },
    { ms: 2, key: 'b' },
    { ms: 3, key: 'a' },
    { ms: 1, key: 'c' },
  ];
  // Total 10 ms over 2: 5 ms; key a sums 7 ms.
  assert.equal(idealSeconds(messages, 2, false), 0.005);
  assert.equal(idealSeconds(messages, 2, true), 0.007);
  // Over 1: the total, 10 ms, beats key a.
  assert.equal(idealSeconds(messages, 1, true), 0.01);
  assert.equal(idealSeconds([], 4, true), 0);
});
