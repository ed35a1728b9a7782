import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DownstreamSlots } from '../src/brain-slots.js';
import type { PhaseStart, SlotsClock } from '../src/brain-slots.js';

/** A manual clock: timers fire only when the test advances time, in due order. */
class ManualClock implements SlotsClock {
  time = 0;
  #timers: { due: number; fn: () => void }[] = [];
  after(fn: () => void, ms: number): void {
    this.#timers.push({ due: this.time + ms, fn });
  }
  now(): number {
    return this.time;
  }
  advance(to: number): void {
    for (;;) {
      this.#timers.sort((a, b) => a.due - b.due);
      const next = this.#timers[0];
      if (next === undefined || next.due > to) break;
      this.#timers.shift();
      this.time = next.due;
      next.fn();
    }
    this.time = to;
  }
}

test('at most `capacity` calls are in service; the rest wait in FIFO order', () => {
  const clock = new ManualClock();
  const slots = new DownstreamSlots([{ capacity: 2, calls: 100 }], 10, clock, () => {});
  const served: number[] = [];
  for (let i = 0; i < 5; i++) slots.call(() => served.push(i));
  assert.equal(slots.busy, 2);
  assert.equal(slots.waiting, 3);
  clock.advance(10);
  assert.deepEqual(served, [0, 1]);
  assert.equal(slots.busy, 2);
  clock.advance(20);
  assert.deepEqual(served, [0, 1, 2, 3]);
  clock.advance(30);
  assert.deepEqual(served, [0, 1, 2, 3, 4]);
  assert.equal(slots.served, 5);
  assert.equal(slots.busy, 0);
});

test('throughput plateaus at capacity / service time however many calls wait', () => {
  const clock = new ManualClock();
  const slots = new DownstreamSlots([{ capacity: 4, calls: 1000 }], 10, clock, () => {});
  let served = 0;
  for (let i = 0; i < 200; i++) slots.call(() => served++);
  clock.advance(100);
  assert.equal(served, 40);
});

test('a phase begins when the calls of those before it have been served, and the capacity follows', () => {
  const clock = new ManualClock();
  const phases: PhaseStart[] = [];
  const slots = new DownstreamSlots(
    [
      { capacity: 1, calls: 2 },
      { capacity: 3, calls: 3 },
      { capacity: 1, calls: 1 },
    ],
    10,
    clock,
    (start) => phases.push(start),
  );
  clock.advance(5);
  for (let i = 0; i < 8; i++) slots.call(() => {});
  assert.deepEqual(phases, [{ kind: 'phase', index: 0, capacity: 1, at: 5, served: 0 }]);
  clock.advance(25); // two served one at a time: phase 1 at 25, three in service at once
  assert.deepEqual(phases.at(-1), { kind: 'phase', index: 1, capacity: 3, at: 25, served: 2 });
  assert.equal(slots.busy, 3);
  // At 35 the three end one after another: the first two free slots still under capacity 3
  // (two more start), the third ends phase 1. Those two finish; none starts below capacity 1.
  clock.advance(35);
  assert.deepEqual(phases.at(-1), { kind: 'phase', index: 2, capacity: 1, at: 35, served: 5 });
  assert.equal(slots.busy, 2);
  assert.equal(slots.waiting, 1);
  clock.advance(45);
  assert.equal(slots.served, 7);
  assert.equal(slots.busy, 1);
  clock.advance(55);
  assert.equal(slots.served, 8);
  assert.equal(phases.length, 3);
});

test('a lower capacity lets the calls in service finish and starts none until below it', () => {
  const clock = new ManualClock();
  const slots = new DownstreamSlots(
    [
      { capacity: 4, calls: 4 },
      { capacity: 1, calls: 10 },
    ],
    10,
    clock,
    () => {},
  );
  for (let i = 0; i < 8; i++) slots.call(() => {});
  assert.equal(slots.busy, 4);
  // The four end at 10: the first three free slots under capacity 4 (three more start), the
  // fourth ends phase 0.
  clock.advance(10);
  assert.equal(slots.capacity, 1);
  assert.equal(slots.busy, 3);
  assert.equal(slots.waiting, 1);
  clock.advance(20);
  assert.equal(slots.busy, 1);
  assert.equal(slots.waiting, 0);
  clock.advance(30);
  assert.equal(slots.served, 8);
});

test('plans that cannot be served are refused', () => {
  const clock = new ManualClock();
  assert.throws(() => new DownstreamSlots([], 10, clock, () => {}), RangeError);
  assert.throws(() => new DownstreamSlots([{ capacity: 0, calls: 1 }], 10, clock, () => {}), RangeError);
  assert.throws(() => new DownstreamSlots([{ capacity: 1, calls: 0 }], 10, clock, () => {}), RangeError);
  assert.throws(() => new DownstreamSlots([{ capacity: 1, calls: 1 }], Number.NaN, clock, () => {}), RangeError);
});
