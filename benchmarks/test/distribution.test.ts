import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distribution, median, percentile, upperMedian } from '../src/distribution.js';

test('nearest-rank percentiles are values of the set: the smallest with p% at or below it', () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  assert.equal(percentile(sorted, 50), 50);
  assert.equal(percentile(sorted, 99), 99);
  assert.equal(percentile(sorted, 100), 100);
  assert.equal(percentile(sorted, 0), 1);
  assert.equal(percentile([10, 20, 30, 40], 50), 20);
  assert.equal(percentile([10, 20, 30, 40], 99), 40);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.throws(() => percentile([1], 101), /`p` to be from 0 to 100, got `101`/);
  assert.throws(() => percentile([1], Number.NaN), /got `NaN`/);
});

test('a distribution sorts its input and gives count, total, mean, p50, p99 and max', () => {
  // A skewed set like the corpus: many small files, one large.
  assert.deepEqual(distribution([2048, 100, 98_000, 1000, 2048, 500, 3000, 700, 1500, 2000]), {
    count: 10,
    total: 110_896,
    mean: 11_089.6,
    p50: 1500,
    p99: 98_000,
    max: 98_000,
  });
  const empty = distribution([]);
  assert.equal(empty.count, 0);
  assert.equal(empty.total, 0);
  assert.ok(Number.isNaN(empty.mean) && Number.isNaN(empty.p50) && Number.isNaN(empty.max));
});

test('median: the middle value, the mean of the two middle ones for an even count', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([10, 30, 20, 50, 40]), 30);
  assert.equal(median([1300, 1250]), 1275);
  assert.equal(median([7]), 7);
  assert.ok(Number.isNaN(median([])));
});

test('upper median: the middle value, the upper of the two middle ones for an even count, always one of the values', () => {
  assert.equal(upperMedian([3, 1, 2]), 2);
  assert.equal(upperMedian([4, 1, 3, 2]), 3);
  assert.equal(upperMedian([10, 30, 20, 50, 40]), 30);
  assert.equal(upperMedian([1300, 1250]), 1300);
  assert.equal(upperMedian([7]), 7);
  assert.ok(Number.isNaN(upperMedian([])));
  const input = [5, 1, 4];
  upperMedian(input);
  median(input);
  assert.deepEqual(input, [5, 1, 4], 'the input is not sorted in place');
});
