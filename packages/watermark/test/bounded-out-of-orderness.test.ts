import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedOutOfOrderness } from '../src/index.js';

test('the watermark is the largest event time minus maxOutOfOrderness', () => {
  const source = new BoundedOutOfOrderness({ maxOutOfOrderness: 10 });
  assert.equal(source.current(), Number.NEGATIVE_INFINITY);
  source.observe(100);
  assert.equal(source.current(), 90);
  source.observe(95);
  assert.equal(source.current(), 90);
  source.observe(130);
  assert.equal(source.current(), 120);
});

test('maxOutOfOrderness defaults to 0', () => {
  const source = new BoundedOutOfOrderness();
  source.observe(42);
  assert.equal(source.current(), 42);
});

test('observe returns the watermark the message was read under, before it is seen', () => {
  const source = new BoundedOutOfOrderness({ maxOutOfOrderness: 10 });
  assert.deepEqual(source.observe(100), { watermark: Number.NEGATIVE_INFINITY, late: false });
  assert.deepEqual(source.observe(150), { watermark: 90, late: false });
  assert.deepEqual(source.observe(141), { watermark: 140, late: false });
  // Exactly at the watermark is on time; below it is late.
  assert.deepEqual(source.observe(140), { watermark: 140, late: false });
  assert.deepEqual(source.observe(139), { watermark: 140, late: true });
});

test('lateCount counts the late messages only', () => {
  const source = new BoundedOutOfOrderness({ maxOutOfOrderness: 5 });
  source.observe(100);
  source.observe(96);
  assert.equal(source.lateCount, 0);
  source.observe(94);
  source.observe(10);
  assert.equal(source.lateCount, 2);
  source.observe(200);
  assert.equal(source.lateCount, 2);
});

test('the watermark never decreases when event times go back', () => {
  const source = new BoundedOutOfOrderness({ maxOutOfOrderness: 3 });
  source.observe(50);
  for (const eventTime of [49, 20, -100, 47]) {
    source.observe(eventTime);
    assert.equal(source.current(), 47);
  }
});

test('idle raises the watermark to the largest event time once idleAfter has passed with nothing in flight', () => {
  const source = new BoundedOutOfOrderness({ maxOutOfOrderness: 10, idleAfter: 50 });
  source.observe(100, 1_000);
  assert.equal(source.current(), 90);

  assert.equal(source.idle(1_049, 0), false, 'before idleAfter');
  assert.equal(source.current(), 90);
  assert.equal(source.idle(1_050, 1), false, 'a message is in flight');
  assert.equal(source.current(), 90);

  assert.equal(source.idle(1_050, 0), true);
  assert.equal(source.current(), 100);
  assert.equal(source.idle(2_000, 0), false, 'already at the largest event time');
  assert.equal(source.current(), 100);

  // After the idle advance, the out-of-orderness window is closed.
  assert.deepEqual(source.observe(99, 2_001), { watermark: 100, late: true });
  assert.equal(source.lateCount, 1);
});

test('a new message restarts the idle wait', () => {
  const source = new BoundedOutOfOrderness({ maxOutOfOrderness: 10, idleAfter: 50 });
  source.observe(100, 1_000);
  source.observe(105, 1_040);
  assert.equal(source.idle(1_060, 0), false);
  assert.equal(source.idle(1_090, 0), true);
  assert.equal(source.current(), 105);
});

test('idle never advances with the default idleAfter', () => {
  const source = new BoundedOutOfOrderness({ maxOutOfOrderness: 10 });
  source.observe(100, 0);
  assert.equal(source.idle(Number.MAX_SAFE_INTEGER, 0), false);
  assert.equal(source.current(), 90);
});

test('idle before any message returns false', () => {
  const source = new BoundedOutOfOrderness({ maxOutOfOrderness: 10, idleAfter: 0 });
  assert.equal(source.idle(1_000, 0), false);
  assert.equal(source.current(), Number.NEGATIVE_INFINITY);
});

test('options that would freeze or unleash the watermark are rejected', () => {
  for (const options of [{ maxOutOfOrderness: -1 }, { maxOutOfOrderness: Number.NaN }, { idleAfter: Number.NaN }, { idleAfter: -5 }]) {
    assert.throws(() => new BoundedOutOfOrderness(options), RangeError, JSON.stringify(options));
  }
});

test('maxOutOfOrderness Infinity: event times never move the watermark, the source\'s own (raise) does, and lateness is judged against it', () => {
  const w = new BoundedOutOfOrderness({ maxOutOfOrderness: Number.POSITIVE_INFINITY });
  assert.equal(w.observe(100).late, false);
  assert.equal(w.current(), Number.NEGATIVE_INFINITY, 'an event time alone moves nothing');
  w.raise(50);
  assert.equal(w.current(), 50);
  w.raise(40);
  assert.equal(w.current(), 50, 'never falls');
  assert.equal(w.observe(49).late, true);
  assert.equal(w.observe(50).late, false);
});
