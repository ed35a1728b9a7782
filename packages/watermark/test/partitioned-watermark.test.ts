import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PartitionedWatermark } from '../src/index.js';

test('an idle partition does not hold the output back while another advances', () => {
  const watermark = new PartitionedWatermark({ idleAfter: 100 });
  watermark.read(1, 'a', 10, 0);
  watermark.read(2, 'b', 5, 0);
  watermark.complete(1);
  watermark.complete(2);
  assert.equal(watermark.current(50), 5, 'b is behind and not idle yet');

  watermark.read(3, 'a', 20, 60);
  watermark.complete(3);
  assert.equal(watermark.current(60), 5);
  assert.equal(watermark.nextIdleAt(), 100, 'b: read at 0, idle at 0 + 100');

  // At 100, b has read nothing for idleAfter with nothing in flight: idle
  // once asked (a read moves the clock but decides no idleness).
  watermark.read(4, 'a', 30, 100);
  assert.equal(watermark.isIdle('b'), false, 'not decided by a read');
  assert.equal(watermark.current(100), 20, 'a alone: message 4 is in flight under 20');
  assert.equal(watermark.isIdle('b'), true);
  watermark.complete(4);
  assert.equal(watermark.current(100), 30);
  assert.deepEqual(watermark.read(5, 'a', 40, 150), { watermark: 30, late: false });
  assert.equal(watermark.current(150), 30);
  watermark.complete(5);
  assert.equal(watermark.current(150), 40);
});

test('complete with a clock: a partition left empty starts its idle wait again from then', () => {
  const watermark = new PartitionedWatermark({ maxOutOfOrderness: 10, idleAfter: 100 });
  watermark.read(1, 'a', 50, 0);
  watermark.complete(1, 300); // in flight far longer than idleAfter
  assert.equal(watermark.nextIdleAt(), 400, 'idle 100 after it emptied, not 100 after the read');
  assert.equal(watermark.current(399), 40);
  assert.equal(watermark.current(400), 50, 'idle: raised to its largest event time');
});

test('a partition back from idle is late only against its own watermark, and the output does not go back', () => {
  const watermark = new PartitionedWatermark({ maxOutOfOrderness: 10, idleAfter: 100 });
  watermark.read(1, 'a', 100, 0);
  watermark.read(2, 'b', 50, 0);
  watermark.complete(1);
  watermark.complete(2);
  assert.equal(watermark.current(0), 40);

  watermark.read(3, 'a', 200, 50);
  watermark.complete(3);
  // b went idle at 100: its watermark rose from 40 to its largest event time, 50.
  assert.equal(watermark.current(120), 190);
  assert.equal(watermark.isIdle('b'), true);
  assert.equal(watermark.inputWatermark('b'), 50);

  // b comes back. 45 is below b's own watermark: late. 60 is below the
  // output (190) but not below b's watermark (50): on time, not flagged.
  assert.deepEqual(watermark.read(4, 'b', 45, 120), { watermark: 50, late: true });
  assert.deepEqual(watermark.read(5, 'b', 60, 120), { watermark: 50, late: false });
  assert.equal(watermark.lateCount, 1);
  assert.equal(watermark.isIdle('b'), false);
  assert.equal(watermark.current(120), 190, 'the output never decreases');

  // While b's messages are in flight, and until b's watermark passes the
  // output or b goes idle again, the output stays.
  watermark.read(6, 'a', 300, 130);
  watermark.complete(6);
  assert.equal(watermark.current(130), 190);
  watermark.complete(4);
  watermark.complete(5);
  assert.equal(watermark.current(130), 190);
  // b idle at 220 (raised to 60), a at 230: from 220, a alone decides.
  assert.equal(watermark.current(225), 290);
});

test('read order is not watermark order across partitions', () => {
  const watermark = new PartitionedWatermark();
  // a's event times run far ahead of b's: interleaved reads carry
  // watermarks -Infinity, -Infinity, 1000, 10, which no single FIFO keeps sorted.
  assert.equal(watermark.read(1, 'a', 1_000, 0).watermark, Number.NEGATIVE_INFINITY);
  assert.equal(watermark.read(2, 'b', 10, 0).watermark, Number.NEGATIVE_INFINITY);
  assert.equal(watermark.read(3, 'a', 1_010, 1).watermark, 1_000);
  assert.equal(watermark.read(4, 'b', 20, 1).watermark, 10);
  assert.equal(watermark.current(1), Number.NEGATIVE_INFINITY);

  watermark.complete(1);
  assert.equal(watermark.current(1), Number.NEGATIVE_INFINITY, 'b still has message 2 in flight under -Infinity');
  watermark.complete(2);
  assert.equal(watermark.current(1), 10, 'min(a: 1000, b: 10)');
  watermark.complete(3);
  assert.equal(watermark.current(1), 10, 'message 4 of b is in flight under 10');
  watermark.complete(4);
  assert.equal(watermark.current(1), 20, 'min(a: 1010, b: 20)');
});

test('when every partition is idle, the output is the lowest input watermark, each raised by idle advance', () => {
  const watermark = new PartitionedWatermark({ maxOutOfOrderness: 10, idleAfter: 50 });
  watermark.read(1, 'a', 100, 0);
  watermark.read(2, 'b', 300, 0);
  watermark.complete(1);
  watermark.complete(2);
  assert.equal(watermark.current(10), 90);
  assert.equal(watermark.nextIdleAt(), 50);

  assert.equal(watermark.current(50), 100, 'not 300: a next message of a must not be late because b ran ahead');
  assert.deepEqual([watermark.isIdle('a'), watermark.isIdle('b')], [true, true]);
  assert.deepEqual([watermark.inputWatermark('a'), watermark.inputWatermark('b')], [100, 300]);
  assert.equal(watermark.nextIdleAt(), Number.POSITIVE_INFINITY);

  assert.deepEqual(watermark.read(3, 'a', 150, 60), { watermark: 100, late: false });
  assert.equal(watermark.current(60), 100);
  watermark.complete(3);
  assert.equal(watermark.current(60), 140, 'a is back and alone not idle');
});

test('a declared partition that has read nothing holds the output back until it goes idle', () => {
  const watermark = new PartitionedWatermark({ idleAfter: 100 });
  assert.equal(watermark.declare('a', 0), true);
  assert.equal(watermark.declare('a', 0), false, 'already there');
  watermark.read(1, 'b', 50, 10);
  watermark.complete(1);
  assert.deepEqual(watermark.partitions, ['a', 'b']);
  assert.equal(watermark.inputWatermark('a'), Number.NEGATIVE_INFINITY);
  assert.equal(watermark.current(10), Number.NEGATIVE_INFINITY);
  assert.equal(watermark.nextIdleAt(), 100, 'a: declared at 0');
  assert.equal(watermark.current(99), Number.NEGATIVE_INFINITY);
  assert.equal(watermark.current(100), 50);
  assert.equal(watermark.isIdle('a'), true);

  // An undeclared partition appearing now reads under -Infinity: nothing of
  // it is late, and the output does not go back.
  assert.deepEqual(watermark.read(2, 'c', 10, 100), { watermark: Number.NEGATIVE_INFINITY, late: false });
  assert.equal(watermark.current(100), 50);
});

test('a declared partition that never reads keeps the output from rising while all partitions are idle', () => {
  const watermark = new PartitionedWatermark({ maxOutOfOrderness: 10, idleAfter: 100 });
  watermark.declare('a', 0);
  watermark.read(1, 'b', 50, 50);
  watermark.complete(1);
  assert.equal(watermark.current(100), 40, 'a idle at 100, b not yet');
  // At 150 b is idle too and raised to 50, but a promises nothing: its first
  // message may carry any event time, so the output stays.
  assert.equal(watermark.current(150), 40);
  assert.equal(watermark.inputWatermark('b'), 50);
  assert.equal(watermark.inputWatermark('a'), Number.NEGATIVE_INFINITY);
});

test('with no partition the output stays where it is', () => {
  const watermark = new PartitionedWatermark({ idleAfter: 0 });
  assert.equal(watermark.current(1_000), Number.NEGATIVE_INFINITY);
  assert.deepEqual(watermark.partitions, []);
  assert.equal(watermark.nextIdleAt(), Number.POSITIVE_INFINITY);
  assert.equal(watermark.inputWatermark('a'), undefined);
  assert.equal(watermark.isIdle('a'), false);
});

test('without idleAfter no partition goes idle', () => {
  const watermark = new PartitionedWatermark({ maxOutOfOrderness: 5 });
  watermark.read(1, 'a', 100, 0);
  watermark.read(2, 'b', 10, 0);
  watermark.complete(1);
  watermark.complete(2);
  assert.equal(watermark.nextIdleAt(), Number.POSITIVE_INFINITY);
  assert.equal(watermark.current(Number.MAX_SAFE_INTEGER), 5);
  assert.equal(watermark.isIdle('b'), false);
});

test('nextIdleAt at or below the clock means the partition went empty after its idle time: call current now', () => {
  const watermark = new PartitionedWatermark({ idleAfter: 100 });
  watermark.read(1, 'a', 10, 0);
  assert.equal(watermark.nextIdleAt(), Number.POSITIVE_INFINITY, 'a message is in flight');
  assert.equal(watermark.current(500), Number.NEGATIVE_INFINITY);
  watermark.complete(1);
  assert.equal(watermark.nextIdleAt(), 100);
  assert.equal(watermark.isIdle('a'), false);
  assert.equal(watermark.current(500), 10);
  assert.equal(watermark.isIdle('a'), true);
  assert.equal(watermark.nextIdleAt(), Number.POSITIVE_INFINITY);
});

test('a now below the clock is taken as the clock', () => {
  const watermark = new PartitionedWatermark({ idleAfter: 10 });
  watermark.read(1, 'a', 10, 100);
  watermark.complete(1);
  assert.equal(watermark.nextIdleAt(), 110);
  watermark.current(200);
  assert.equal(watermark.isIdle('a'), true);
  // Read "at 150": the clock stays at 200, so a's idle wait counts from 200.
  watermark.read(2, 'a', 20, 150);
  watermark.complete(2);
  assert.equal(watermark.nextIdleAt(), 210);
  assert.equal(watermark.current(205), 20);
  assert.equal(watermark.isIdle('a'), false);
});

test('read of an id already in flight throws RangeError and changes nothing; complete is by id, in any order', () => {
  const watermark = new PartitionedWatermark({ idleAfter: 100 });
  watermark.read(7, 'a', 10, 0);
  assert.throws(() => watermark.read(7, 'b', 20, 500), RangeError);
  assert.deepEqual(watermark.partitions, ['a'], 'no partition b was made');
  assert.equal(watermark.inFlight, 1);
  assert.equal(watermark.nextIdleAt(), Number.POSITIVE_INFINITY, 'the clock did not move to 500');

  assert.equal(watermark.complete(8), false);
  assert.equal(watermark.has(7), true);
  assert.equal(watermark.complete(7), true);
  assert.equal(watermark.complete(7), false);
  assert.equal(watermark.has(7), false);
  // A completed id may be read again, in another partition too.
  watermark.read(7, 'b', 20, 1);
  assert.equal(watermark.has(7), true);
  assert.equal(watermark.inFlight, 1);
});

test('partitions are told apart by value and type: 1 and "1" are two', () => {
  const watermark = new PartitionedWatermark();
  watermark.read(1, 1, 100, 0);
  watermark.read(2, '1', 200, 0);
  assert.deepEqual(watermark.partitions, [1, '1']);
  assert.equal(watermark.inputWatermark(1), 100);
  assert.equal(watermark.inputWatermark('1'), 200);
});

test('options that would freeze or unleash the watermark are rejected', () => {
  for (const options of [
    { maxOutOfOrderness: -1 },
    { maxOutOfOrderness: Number.NaN },
    { idleAfter: Number.NaN },
    { idleAfter: -5 },
  ]) {
    assert.throws(() => new PartitionedWatermark(options), RangeError, JSON.stringify(options));
  }
});

test('a source\'s own watermark (readUnder\'s `given`) raises its partition\'s input watermark before the message is read', () => {
  const w = new PartitionedWatermark({ maxOutOfOrderness: Number.POSITIVE_INFINITY });
  assert.equal(w.readUnder(1, 'a', 10, 0, 5), 5, 'read under the given watermark');
  assert.equal(w.lastLate, false);
  assert.equal(w.readUnder(2, 'a', 7, 0, 8), 8);
  assert.equal(w.lastLate, true, 'below the given watermark: late');
  w.complete(1);
  w.complete(2);
  assert.equal(w.current(), 8);
  assert.equal(w.inputMinimum(), 8);
});

test('inputMinimum leaves out a partition that read nothing for idleAfter, even with messages in flight', () => {
  const w = new PartitionedWatermark({ idleAfter: 50 });
  w.readUnder(1, 'a', 10, 0); // a: one message, still in flight (held by a window, say)
  w.readUnder(2, 'b', 100, 10);
  assert.equal(w.inputMinimum(), 10, 'a read 10 ms ago: it holds the minimum');
  w.readUnder(3, 'b', 200, 60);
  assert.equal(w.inputMinimum(), 200, 'a quiet for 60 ms: only b counts');
  assert.ok(w.current() <= 10, "a's message in flight still holds the output watermark");
  w.readUnder(4, 'a', 205, 70);
  assert.equal(w.inputMinimum(), 200, 'a reads again: it counts again (its watermark is now 205)');
});
