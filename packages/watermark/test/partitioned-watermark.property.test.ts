import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PartitionedWatermark } from '../src/index.js';
import type { PartitionId } from '../src/index.js';

// PartitionedWatermark against a brute-force model: plain maps of the
// partitions and of the in-flight messages, idleness re-checked over every
// partition at each call that takes `now`, and the output recomputed from
// scratch: max(previous output, min of low(P) over the partitions not idle,
// or over all of them when all are idle).

const NAMES: readonly PartitionId[] = ['a', 'b', 2];

type Command =
  /** A message of partition `partition`, `drift` from its largest event time (or at `start` for its first). */
  | { readonly kind: 'read'; readonly partition: number; readonly drift: number; readonly start: number; readonly reuse: boolean; readonly pick: number }
  /** A message that stays in flight until `release`: it pins done entries behind it. */
  | { readonly kind: 'pin'; readonly partition: number; readonly drift: number; readonly start: number }
  | { readonly kind: 'release'; readonly pick: number }
  | { readonly kind: 'readInFlight'; readonly pick: number; readonly partition: number }
  | { readonly kind: 'declare'; readonly partition: number }
  | { readonly kind: 'complete'; readonly pick: number }
  | { readonly kind: 'completeUnknown'; readonly pick: number }
  | { readonly kind: 'tick'; readonly elapsed: number }
  /** Query with a `now` `back` below the test's clock (0: the clock itself). */
  | { readonly kind: 'current'; readonly back: number };

interface ModelPartition {
  maxEventTime: number;
  watermark: number;
  lastArrival: number;
  idle: boolean;
}

interface ModelMessage {
  readonly partition: PartitionId;
  readonly watermark: number;
  /** The output when it was read: the output may already be above a message of a partition back from idle. */
  readonly outputAtRead: number;
}

class Model {
  readonly partitions = new Map<PartitionId, ModelPartition>();
  readonly inFlight = new Map<number, ModelMessage>();
  readonly pinned = new Set<number>();
  readonly completed: number[] = [];
  nextId = 0;
  /** The test's clock; the model's own clock is `clock`. */
  time = 0;
  clock = Number.NEGATIVE_INFINITY;
  output = Number.NEGATIVE_INFINITY;
  late = 0;

  readonly bound: number;
  readonly idleAfter: number;

  constructor(bound: number, idleAfter: number) {
    this.bound = bound;
    this.idleAfter = idleAfter;
  }

  count(name: PartitionId): number {
    let n = 0;
    for (const message of this.inFlight.values()) if (message.partition === name) n++;
    return n;
  }

  advance(now: number): void {
    this.clock = Math.max(this.clock, now);
    for (const [name, p] of this.partitions) {
      if (!p.idle && this.count(name) === 0 && p.lastArrival + this.idleAfter <= this.clock) {
        p.idle = true;
        p.watermark = Math.max(p.watermark, p.maxEventTime);
      }
    }
  }

  partition(name: PartitionId): ModelPartition {
    let p = this.partitions.get(name);
    if (p === undefined) {
      p = { maxEventTime: Number.NEGATIVE_INFINITY, watermark: Number.NEGATIVE_INFINITY, lastArrival: this.clock, idle: false };
      this.partitions.set(name, p);
    }
    return p;
  }

  low(name: PartitionId): number {
    let low = Number.POSITIVE_INFINITY;
    for (const message of this.inFlight.values()) if (message.partition === name && message.watermark < low) low = message.watermark;
    return low === Number.POSITIVE_INFINITY ? (this.partitions.get(name) as ModelPartition).watermark : low;
  }

  current(now: number): number {
    this.advance(now);
    const names = [...this.partitions.keys()];
    const busy = names.filter((name) => !(this.partitions.get(name) as ModelPartition).idle);
    const over = busy.length > 0 ? busy : names;
    if (over.length > 0) this.output = Math.max(this.output, Math.min(...over.map((name) => this.low(name))));
    return this.output;
  }

  nextIdleAt(): number {
    let next = Number.POSITIVE_INFINITY;
    if (this.idleAfter === Number.POSITIVE_INFINITY) return next;
    for (const [name, p] of this.partitions) {
      if (!p.idle && this.count(name) === 0) next = Math.min(next, p.lastArrival + this.idleAfter);
    }
    return next;
  }

  /** The `pick`-th in-flight id, pinned ones or the others. */
  inFlightId(pick: number, pinned: boolean): number | undefined {
    const ids = [...this.inFlight.keys()].filter((id) => this.pinned.has(id) === pinned);
    return ids[pick % Math.max(ids.length, 1)];
  }
}

function nameOf(index: number): PartitionId {
  return NAMES[index % NAMES.length] as PartitionId;
}

function apply(watermark: PartitionedWatermark, model: Model, command: Command): void {
  switch (command.kind) {
    case 'read':
    case 'pin': {
      const reused =
        command.kind === 'read' && command.reuse && model.completed.length > 0
          ? model.completed.splice(command.pick % model.completed.length, 1)[0]
          : undefined;
      const id = reused ?? model.nextId++;
      const name = nameOf(command.partition);
      const now = model.time;
      model.clock = Math.max(model.clock, now); // a read decides no idleness
      const p = model.partition(name);
      const eventTime = (Number.isFinite(p.maxEventTime) ? p.maxEventTime : command.start) + command.drift;
      const expected = { watermark: p.watermark, late: eventTime < p.watermark };
      assert.deepEqual(watermark.read(id, name, eventTime, now), expected);
      if (expected.late) model.late++;
      p.maxEventTime = Math.max(p.maxEventTime, eventTime);
      p.watermark = Math.max(p.watermark, p.maxEventTime - model.bound);
      p.lastArrival = model.clock;
      p.idle = false;
      model.inFlight.set(id, { partition: name, watermark: expected.watermark, outputAtRead: model.output });
      if (command.kind === 'pin') model.pinned.add(id);
      return;
    }
    case 'complete':
    case 'release': {
      const id = model.inFlightId(command.pick, command.kind === 'release');
      if (id === undefined) return;
      assert.equal(watermark.complete(id), true);
      model.inFlight.delete(id);
      model.pinned.delete(id);
      model.completed.push(id);
      return;
    }
    case 'readInFlight': {
      const id = model.inFlightId(command.pick, false) ?? model.inFlightId(command.pick, true);
      if (id === undefined) return;
      // Far in the future: had the clock moved, idleness would show it.
      assert.throws(() => watermark.read(id, nameOf(command.partition), 0, model.time + 1_000), RangeError);
      return;
    }
    case 'declare': {
      const name = nameOf(command.partition);
      model.advance(model.time);
      const fresh = !model.partitions.has(name);
      if (fresh) model.partition(name);
      assert.equal(watermark.declare(name, model.time), fresh);
      return;
    }
    case 'completeUnknown': {
      const id = model.completed[command.pick % Math.max(model.completed.length, 1)] ?? model.nextId;
      assert.equal(watermark.complete(id), false);
      return;
    }
    case 'tick':
      model.time += command.elapsed;
      return;
    case 'current':
      observe(watermark, model, model.time - command.back);
      return;
  }
}

function observe(watermark: PartitionedWatermark, model: Model, now: number): void {
  const previous = model.output;
  const output = watermark.current(now);
  assert.equal(output, model.current(now));
  assert.ok(output >= previous, `output went back from ${previous} to ${output}`);
  // In flight means not idle. The output never rises past a message in
  // flight: it is at most the watermark the message was read under, unless
  // it was already above it at the read (a partition back from idle or new).
  for (const [id, message] of model.inFlight) {
    assert.ok(
      output <= Math.max(message.watermark, message.outputAtRead),
      `output ${output} passed message ${id} of ${String(message.partition)}, read under ${message.watermark}`,
    );
  }
}

function checkState(watermark: PartitionedWatermark, model: Model): void {
  assert.equal(watermark.inFlight, model.inFlight.size);
  for (const id of model.inFlight.keys()) assert.equal(watermark.has(id), true);
  for (const id of model.completed) assert.equal(watermark.has(id), false);
  assert.deepEqual(watermark.partitions, [...model.partitions.keys()]);
  for (const [name, p] of model.partitions) {
    assert.equal(watermark.inputWatermark(name), p.watermark);
    assert.equal(watermark.isIdle(name), p.idle);
  }
  assert.equal(watermark.lateCount, model.late);
  assert.equal(watermark.nextIdleAt(), model.nextIdleAt());
}

const optionsArb = fc.record({
  maxOutOfOrderness: fc.integer({ min: 0, max: 20 }),
  idleAfter: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 0, max: 50 })),
});
const pick = fc.nat();
const partition = fc.nat({ max: NAMES.length - 1 });
const drift = fc.integer({ min: -30, max: 15 });
const start = fc.integer({ min: 0, max: 300 });

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('read'), partition, drift, start, reuse: fc.boolean(), pick }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('complete'), pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick'), elapsed: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('current'), back: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 30 }) }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('declare'), partition }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('readInFlight'), pick, partition }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('completeUnknown'), pick }) },
);

test('current() matches the model, never decreases and never rises past a message in flight', () => {
  fc.assert(
    fc.property(optionsArb, fc.array(commandArb, { maxLength: 80, size: 'max' }), fc.boolean(), (options, commands, observeEveryStep) => {
      const watermark = new PartitionedWatermark(options);
      const model = new Model(options.maxOutOfOrderness, options.idleAfter);
      for (const command of commands) {
        apply(watermark, model, command);
        checkState(watermark, model);
        if (observeEveryStep) observe(watermark, model, model.time);
      }
      observe(watermark, model, model.time);
    }),
    { numRuns: 3_000 },
  );
});

// Long schedules where a few messages stay in flight while hundreds complete
// around them: done entries pile up behind the pinned ones past the 64 of
// slack, so partitions sweep their queues and reuse nodes, and ids are reused.
const longCommandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 100, arbitrary: fc.record({ kind: fc.constant('read'), partition, drift, start, reuse: fc.boolean(), pick }) },
  { weight: 100, arbitrary: fc.record({ kind: fc.constant('complete'), pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pin'), partition, drift, start }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release'), pick }) },
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('tick'), elapsed: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 10, arbitrary: fc.constant({ kind: 'current' as const, back: 0 }) },
);

test('long schedules that sweep the partition queues keep matching the model', () => {
  fc.assert(
    fc.property(
      optionsArb,
      fc.array(longCommandArb, { minLength: 300, maxLength: 1_200, size: 'max' }),
      (options, commands) => {
        const watermark = new PartitionedWatermark(options);
        const model = new Model(options.maxOutOfOrderness, options.idleAfter);
        for (const command of commands) {
          apply(watermark, model, command);
          assert.equal(watermark.inFlight, model.inFlight.size);
        }
        checkState(watermark, model);
        observe(watermark, model, model.time);
      },
    ),
    { numRuns: 150 },
  );
});
