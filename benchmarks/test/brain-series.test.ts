import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConcurrencyChange } from '@tidemark/engine';
import { bandHalfWidth, firstReach, medianTarget, segments, settledLevel, settleTime, targetSeries, weightedQuantile } from '../src/brain-series.js';
import type { TargetPoint } from '../src/brain-series.js';

const change = (at: number, from: number, to: number, reason: ConcurrencyChange['reason']): ConcurrencyChange => ({ at, from, to, reason, noLoadLatency: 10, signals: undefined });
const steps = (...points: [number, number][]): TargetPoint[] => points.map(([at, target]) => ({ at, target, probing: false }));

test('the target series starts where the target stood and marks the stretch from probe to probed', () => {
  const series = targetSeries(0, 8, [change(0, 8, 1, 'probe'), change(300, 1, 8, 'probed'), change(400, 8, 12, 'grow'), change(500, 12, 9, 'latency')]);
  assert.deepEqual(series, [
    { at: 0, target: 8, probing: false },
    { at: 0, target: 1, probing: true },
    { at: 300, target: 8, probing: false },
    { at: 400, target: 12, probing: false },
    { at: 500, target: 9, probing: false },
  ]);
});

test('segments clip the step function to the window and drop stretches of no length', () => {
  const series = steps([0, 4], [10, 8], [10, 6], [30, 2]);
  assert.deepEqual(segments(series, 5, 40), [
    { from: 5, to: 10, value: 4, probing: false },
    { from: 10, to: 30, value: 6, probing: false },
    { from: 30, to: 40, value: 2, probing: false },
  ]);
  assert.deepEqual(segments(series, 12, 20), [{ from: 12, to: 20, value: 6, probing: false }]);
});

test('the weighted quantile weighs each value by the time it was held (nearest rank)', () => {
  // 4 for 10 ms, 8 for 30 ms, 2 for 60 ms: sorted 2 (60), 4 (10), 8 (30).
  const parts = segments(steps([0, 4], [10, 8], [40, 2]), 0, 100);
  assert.equal(weightedQuantile(parts, 0.5), 2);
  assert.equal(weightedQuantile(parts, 0.6), 2);
  assert.equal(weightedQuantile(parts, 0.61), 4);
  assert.equal(weightedQuantile(parts, 0.7), 4);
  assert.equal(weightedQuantile(parts, 0.9), 8);
  assert.equal(weightedQuantile(parts, 0), 2);
  assert.equal(weightedQuantile(parts, 1), 8);
  assert.ok(Number.isNaN(weightedQuantile([], 0.5)));
  assert.throws(() => weightedQuantile(parts, 1.5), RangeError);
});

test('the settled level is the second half: its median, p10, p90, min, max and the time within the stated band, probes left out', () => {
  // 0–100 ms at 30 (first half, ignored); second half 100–200: 10 for 20 ms, 12 for 60, 16 for 20. Band: 12 ± 3 (25%).
  const series: TargetPoint[] = [...steps([0, 30], [100, 10], [120, 12], [180, 16])];
  assert.deepEqual(settledLevel(series, 0, 200), { median: 12, p10: 10, p90: 16, min: 10, max: 16, halfWidth: 3, inBand: 0.8, probing: 0 });
  // A probe at 1 over 150–170 is left out of all but `probing`: 10 (20), 12 (30 + 10), 16 (20).
  const probed: TargetPoint[] = [...steps([0, 30], [100, 10], [120, 12]), { at: 150, target: 1, probing: true }, ...steps([170, 12], [180, 16])];
  assert.deepEqual(settledLevel(probed, 0, 200), { median: 12, p10: 10, p90: 16, min: 10, max: 16, halfWidth: 3, inBand: 0.75, probing: 0.2 });
});

test('the band is ±25% of the level, but never narrower than ±2', () => {
  assert.equal(bandHalfWidth(40, 0.25), 10);
  assert.equal(bandHalfWidth(8, 0.25), 2);
  assert.equal(bandHalfWidth(6, 0.25), 2);
  assert.equal(bandHalfWidth(6, 0.5), 3);
  // A small target swinging 5 ↔ 8 around 6 (second half 100–200: 5 for 30 ms, 6 for 40, 8 for 30) is all within 6 ± 2.
  const small = steps([0, 20], [100, 5], [130, 6], [170, 8]);
  assert.deepEqual(settledLevel(small, 0, 200), { median: 6, p10: 5, p90: 8, min: 5, max: 8, halfWidth: 2, inBand: 1, probing: 0 });
  // 9 is outside 6 ± 2: 30 ms of the 100 out of the band.
  assert.equal(settledLevel(steps([0, 20], [100, 5], [130, 6], [170, 9]), 0, 200).inBand, 0.7);
  // All probe: no level.
  const allProbe: TargetPoint[] = [{ at: 0, target: 1, probing: true }];
  const none = settledLevel(allProbe, 0, 200);
  assert.ok(Number.isNaN(none.median) && Number.isNaN(none.inBand) && Number.isNaN(none.min));
  assert.equal(none.probing, 1);
});

test('the settle time ends with the last stretch outside the band', () => {
  // Level 10: ±25% is 7.5–12.5, ±50% is 5–15.
  const series = steps([0, 1], [100, 14], [250, 11], [300, 9], [400, 10]);
  assert.equal(settleTime(series, 0, 1000, 10, 0.25), 250);
  assert.equal(settleTime(series, 0, 1000, 10, 0.5), 100);
  // Measured from the window's start.
  assert.equal(settleTime(series, 50, 1000, 10, 0.25), 200);
  // Never outside: settled from the start.
  assert.equal(settleTime(steps([0, 10], [500, 11]), 0, 1000, 10, 0.25), 0);
  // A small level: the band is ±2, not ±25% (6 ± 1.5): 8 and 4 are within it, 9 is not.
  const small = steps([0, 1], [100, 9], [200, 8], [300, 4], [400, 6]);
  assert.equal(settleTime(small, 0, 1000, 6, 0.25), 200);
  assert.equal(settleTime(small, 0, 1000, 6, 0.5), 100);
});

test('a window that ends outside the band never settled; a probe at the end does not count', () => {
  const series = steps([0, 10], [900, 20]);
  assert.equal(settleTime(series, 0, 1000, 10, 0.25), undefined);
  const probedAtEnd: TargetPoint[] = [...steps([0, 20], [500, 10]), { at: 900, target: 1, probing: true }];
  assert.equal(settleTime(probedAtEnd, 0, 1000, 10, 0.25), 500);
  assert.equal(settleTime(series, 0, 1000, Number.NaN, 0.25), undefined);
});

test('the median target over a window, and when the target first reached a value', () => {
  const series: TargetPoint[] = [...steps([0, 8]), { at: 0, target: 1, probing: true }, ...steps([300, 8], [400, 64], [500, 256], [600, 200])];
  // 300–400 at 8, 400–500 at 64, 500–600 at 256, 600–1000 at 200: the probe is left out.
  assert.equal(medianTarget(series, 0, 1000), 200);
  assert.equal(medianTarget(series, 0, 500), 8);
  assert.equal(firstReach(series, 256), 500);
  assert.equal(firstReach(series, 257), undefined);
});
