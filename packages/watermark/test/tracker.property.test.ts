import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Heap } from 'heap-js';
import { WatermarkTracker } from '../src/index.js';

// The tracker against a brute-force model: the in-flight entries in a Map and
// the output recomputed from scratch, expected = max(previous output,
// nothing in flight ? latest input : min in-flight watermark).

type Command =
  /** A new message; `reuse` takes the offset of a completed one back. */
  | { readonly kind: 'insert'; readonly delta: number; readonly reuse: boolean; readonly pick: number }
  /** A message that stays in flight until `release`: it pins stale heap entries. */
  | { readonly kind: 'pin'; readonly delta: number }
  | { readonly kind: 'release'; readonly pick: number }
  | { readonly kind: 'insertInFlight'; readonly pick: number }
  | { readonly kind: 'insertBelow'; readonly by: number }
  | { readonly kind: 'complete'; readonly pick: number }
  | { readonly kind: 'completeUnknown'; readonly pick: number }
  | { readonly kind: 'advance'; readonly delta: number }
  | { readonly kind: 'current' };

class Model {
  readonly inFlight = new Map<number, number>();
  readonly pinned = new Set<number>();
  readonly completed: number[] = [];
  nextOffset = 0;
  latestInput: number;
  output: number;

  constructor(initial: number) {
    this.latestInput = initial;
    this.output = initial;
  }

  minInFlight(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const watermark of this.inFlight.values()) if (watermark < min) min = watermark;
    return min;
  }

  current(): number {
    const candidate = this.inFlight.size === 0 ? this.latestInput : this.minInFlight();
    this.output = Math.max(this.output, candidate);
    return this.output;
  }

  /** The `pick`-th in-flight offset, pinned ones included or not. */
  inFlightOffset(pick: number, pinned: boolean): number | undefined {
    const offsets = [...this.inFlight.keys()].filter((offset) => this.pinned.has(offset) === pinned);
    return offsets[pick % Math.max(offsets.length, 1)];
  }
}

/** A watermark `delta` above `latest`; from -Infinity, `delta` itself (0 stays at -Infinity). */
function above(latest: number, delta: number): number {
  if (latest === Number.NEGATIVE_INFINITY) return delta === 0 ? latest : delta;
  return latest + delta;
}

function apply(tracker: WatermarkTracker, model: Model, command: Command): void {
  switch (command.kind) {
    case 'insert':
    case 'pin': {
      const reused =
        command.kind === 'insert' && command.reuse && model.completed.length > 0
          ? model.completed.splice(command.pick % model.completed.length, 1)[0]
          : undefined;
      const offset = reused ?? model.nextOffset++;
      const watermark = above(model.latestInput, command.delta);
      tracker.insert(offset, watermark);
      model.inFlight.set(offset, watermark);
      model.latestInput = watermark;
      if (command.kind === 'pin') model.pinned.add(offset);
      return;
    }
    case 'release':
    case 'complete': {
      const offset = model.inFlightOffset(command.pick, command.kind === 'release');
      if (offset === undefined) return;
      assert.equal(tracker.complete(offset), true);
      model.inFlight.delete(offset);
      model.pinned.delete(offset);
      model.completed.push(offset);
      return;
    }
    case 'insertInFlight': {
      const offset = model.inFlightOffset(command.pick, false) ?? model.inFlightOffset(command.pick, true);
      if (offset === undefined) return;
      assert.throws(() => tracker.insert(offset, model.latestInput), RangeError);
      return;
    }
    case 'insertBelow': {
      if (model.latestInput === Number.NEGATIVE_INFINITY) return;
      const offset = model.nextOffset;
      assert.throws(() => tracker.insert(offset, model.latestInput - command.by), RangeError);
      assert.equal(tracker.has(offset), false);
      return;
    }
    case 'completeUnknown': {
      const offset = model.completed[command.pick % Math.max(model.completed.length, 1)] ?? model.nextOffset;
      assert.equal(tracker.complete(offset), false);
      return;
    }
    case 'advance': {
      const watermark = above(model.latestInput, command.delta);
      tracker.advanceInput(watermark);
      model.latestInput = Math.max(model.latestInput, watermark);
      return;
    }
    case 'current':
      observe(tracker, model);
      return;
  }
}

function observe(tracker: WatermarkTracker, model: Model): void {
  const previous = model.output;
  const output = tracker.current();
  assert.equal(output, model.current());
  assert.ok(output >= previous, `output went back from ${previous} to ${output}`);
  assert.ok(output <= model.minInFlight(), `output ${output} is above an in-flight watermark`);
}

function checkState(tracker: WatermarkTracker, model: Model): void {
  assert.equal(tracker.size, model.inFlight.size);
  assert.equal(tracker.inputWatermark, model.latestInput);
}

const initialArb = fc.oneof(fc.constant(Number.NEGATIVE_INFINITY), fc.integer({ min: -50, max: 50 }));
const pick = fc.nat();

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('insert'), delta: fc.integer({ min: 0, max: 3 }), reuse: fc.boolean(), pick }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('complete'), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insertInFlight'), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insertBelow'), by: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('completeUnknown'), pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance'), delta: fc.integer({ min: -3, max: 5 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'current' as const }) },
);

test('current() matches the model, never decreases and never passes an in-flight watermark', () => {
  fc.assert(
    fc.property(initialArb, fc.array(commandArb, { maxLength: 80, size: 'max' }), (initial, commands) => {
      const tracker = new WatermarkTracker(initial);
      const model = new Model(initial);
      for (const command of commands) {
        apply(tracker, model, command);
        checkState(tracker, model);
        observe(tracker, model);
      }
    }),
    { numRuns: 10_000 },
  );
});

// Long schedules where a few messages stay in flight while hundreds complete
// around them: stale entries pile up under the pinned ones, more than the 64
// of slack, so the heap is rebuilt. current() is called only where the
// schedule says (or after every step), so stale entries also pile up at the top.
const longCommandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 100, arbitrary: fc.record({ kind: fc.constant('insert'), delta: fc.integer({ min: 0, max: 2 }), reuse: fc.boolean(), pick }) },
  { weight: 100, arbitrary: fc.record({ kind: fc.constant('complete'), pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pin'), delta: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release'), pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance'), delta: fc.integer({ min: -1, max: 3 }) }) },
  { weight: 10, arbitrary: fc.constant({ kind: 'current' as const }) },
);

test('long schedules that compact the heap keep matching the model, in bounded memory', (t) => {
  // White-box: count heap rebuilds and read the heap's size through heap-js,
  // to show compaction runs and keeps the heap within 2 * in-flight + 64.
  const init = t.mock.method(Heap.prototype, 'init');
  const push = t.mock.method(Heap.prototype, 'push');
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.array(longCommandArb, { minLength: 300, maxLength: 1_500, size: 'max' }),
      fc.boolean(),
      (pins, commands, observeEveryStep) => {
        push.mock.resetCalls();
        const tracker = new WatermarkTracker();
        const model = new Model(Number.NEGATIVE_INFINITY);
        for (let i = 0; i < pins; i++) apply(tracker, model, { kind: 'pin', delta: i });
        const heap = push.mock.calls[0]?.this as Heap<unknown> | undefined;
        assert.ok(heap !== undefined);
        for (const command of commands) {
          apply(tracker, model, command);
          checkState(tracker, model);
          assert.ok(heap.size() <= 2 * tracker.size + 64, `heap of ${heap.size()} for ${tracker.size} in flight`);
          if (observeEveryStep) observe(tracker, model);
        }
        observe(tracker, model);
      },
    ),
    { numRuns: 300 },
  );
  assert.ok(init.mock.callCount() > 0, 'the heap was never compacted');
});
