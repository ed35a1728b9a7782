import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeliveredWatermark } from '../src/nats/delivered-watermark.js';

// The JetStream run's delivered watermark, on fixed inputs: the engine's
// watermark, held below records not yet confirmed and below messages handed
// back for another delivery until the consumer's ack floor passes them.

test('held below a record not yet confirmed, then rises to the engine watermark', () => {
  const seen: number[] = [];
  const w = new DeliveredWatermark((value) => seen.push(value));
  const mark = w.publishing(100, false);
  w.engine(150);
  assert.equal(w.settle(), 100);
  w.confirmed(mark);
  assert.equal(w.settle(), 150);
  assert.deepEqual(seen, [100, 150]);
  w.stop();
});

test('late records are not held; the value never falls', () => {
  const w = new DeliveredWatermark(() => {});
  w.engine(200);
  assert.equal(w.settle(), 200);
  const late = w.publishing(50, true);
  assert.equal(late, -1);
  assert.equal(w.settle(), 200);
  w.publishing(180, false); // cannot happen for a non-late record, but the value only rises
  assert.equal(w.settle(), 200);
  w.stop();
});

test('a message handed back holds the watermark until the ack floor reaches its sequence', () => {
  const w = new DeliveredWatermark(() => {});
  w.handedBack(7, 120);
  w.engine(300);
  assert.equal(w.settle(), 120);
  w.ackFloor(6);
  assert.equal(w.settle(), 120, 'the floor below it holds it');
  assert.equal(w.handedBackCount, 1);
  w.ackFloor(7);
  assert.equal(w.handedBackCount, 0);
  assert.equal(w.settle(), 300);
  w.stop();
});

test('a failed publish hands its message back before the record is let go: the value never passes it', () => {
  const w = new DeliveredWatermark(() => {});
  const mark = w.publishing(100, false);
  w.engine(500);
  w.handedBack(3, 100);
  w.confirmed(mark);
  assert.equal(w.settle(), 100);
  w.stop();
});
