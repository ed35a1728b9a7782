import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WatermarkTracker } from '../src/index.js';

test('insert of an offset already in flight throws RangeError and changes nothing', () => {
  const tracker = new WatermarkTracker();
  tracker.insert(7, 10);
  assert.throws(() => tracker.insert(7, 12), RangeError);
  assert.equal(tracker.size, 1);
  assert.equal(tracker.inputWatermark, 10);
  assert.equal(tracker.current(), 10);
});

test('insert with a watermark below the latest input throws RangeError', () => {
  const tracker = new WatermarkTracker();
  tracker.insert(1, 10);
  assert.throws(() => tracker.insert(2, 9), RangeError);
  assert.equal(tracker.has(2), false);
  assert.equal(tracker.size, 1);

  // advanceInput raises the floor for later inserts too.
  tracker.advanceInput(20);
  assert.throws(() => tracker.insert(3, 19), RangeError);
  tracker.insert(3, 20);
  assert.equal(tracker.size, 2);
});

test('insert below the initial watermark throws RangeError', () => {
  const tracker = new WatermarkTracker(100);
  assert.equal(tracker.current(), 100);
  assert.throws(() => tracker.insert(1, 99), RangeError);
  tracker.insert(1, 100);
  assert.equal(tracker.current(), 100);
});

test('insert with a NaN watermark throws RangeError instead of disabling the check', () => {
  const tracker = new WatermarkTracker();
  tracker.insert(1, 10);
  assert.equal(tracker.current(), 10);
  assert.throws(() => tracker.insert(2, Number.NaN), RangeError);
  assert.equal(tracker.inputWatermark, 10);
  // Had NaN been accepted, this decreasing insert would pass and current()
  // would stay at 10 while offset 3 (read under 5) is in flight.
  assert.throws(() => tracker.insert(3, 5), RangeError);
  assert.equal(tracker.current(), 10);
});

test('complete of an offset not in flight returns false', () => {
  const tracker = new WatermarkTracker();
  assert.equal(tracker.complete(1), false);
  tracker.insert(1, 10);
  assert.equal(tracker.complete(2), false);
  assert.equal(tracker.complete(1), true);
  assert.equal(tracker.complete(1), false);
  assert.equal(tracker.size, 0);
});

test('re-inserting a completed offset is not confused with its stale heap entry', () => {
  const tracker = new WatermarkTracker();
  tracker.insert(1, 10);
  tracker.insert(2, 20);
  assert.equal(tracker.complete(1), true);
  // The stale entry {1, 10} is still at the top of the heap: lazily deleted.
  tracker.insert(1, 30);
  assert.equal(tracker.has(1), true);
  assert.equal(tracker.size, 2);
  // A tracker that checked only `offset` would take the stale {1, 10} for
  // live and answer 10.
  assert.equal(tracker.current(), 20);
  assert.equal(tracker.complete(2), true);
  assert.equal(tracker.current(), 30);
  assert.equal(tracker.complete(1), true);
  assert.equal(tracker.current(), 30);
  assert.equal(tracker.size, 0);
});

test('a stale entry does not keep a completed re-inserted offset alive', () => {
  const tracker = new WatermarkTracker();
  tracker.insert(1, 10);
  tracker.insert(2, 10);
  tracker.complete(1);
  tracker.insert(1, 15);
  tracker.complete(1);
  // Two stale {1, ...} entries are in the heap; neither may hold the output.
  tracker.insert(3, 40);
  tracker.complete(2);
  assert.equal(tracker.current(), 40);
});

test('output is the minimum in-flight watermark, whatever the completion order', () => {
  const tracker = new WatermarkTracker();
  tracker.insert(1, 10);
  tracker.insert(2, 20);
  tracker.insert(3, 30);
  assert.equal(tracker.current(), 10);
  tracker.complete(2);
  assert.equal(tracker.current(), 10);
  tracker.complete(1);
  assert.equal(tracker.current(), 30);
  tracker.complete(3);
  assert.equal(tracker.current(), 30);
});

test('advanceInput moves the output only once nothing is in flight', () => {
  const tracker = new WatermarkTracker();
  assert.equal(tracker.current(), Number.NEGATIVE_INFINITY);
  tracker.insert(1, 10);
  tracker.advanceInput(50);
  assert.equal(tracker.inputWatermark, 50);
  assert.equal(tracker.current(), 10);
  tracker.complete(1);
  assert.equal(tracker.current(), 50);
  // A lower advance is ignored.
  tracker.advanceInput(40);
  assert.equal(tracker.inputWatermark, 50);
  assert.equal(tracker.current(), 50);
});
