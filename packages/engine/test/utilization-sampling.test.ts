import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { WorkerUtilization } from '../src/transport/worker-utilization.js';

// WorkerUtilization over scripted readings, no threads: what a call returns
// from each worker's event-loop times (idle, active: ms so far, as
// `worker.performance.eventLoopUtilization()` gives them) and the time each
// spent blocked in a sync wait for work.

/** A worker whose loop times and blocked time the test sets. */
class FakeWorker {
  idle = 0;
  active = 0;
  blocked = 0;
  readonly performance = { eventLoopUtilization: () => ({ idle: this.idle, active: this.active, utilization: 0 }) };

  /** `ms` pass, `share` of it active, `blockedShare` of it blocked (counted as active by the loop). */
  pass(ms: number, share: number, blockedShare = 0): void {
    const active = ms * (share + blockedShare);
    this.active += active;
    this.idle += ms - active;
    this.blocked += ms * blockedShare;
  }
}

function sampling(workers: FakeWorker[]): WorkerUtilization {
  return new WorkerUtilization(
    () => workers as unknown as Worker[],
    (worker) => (worker as unknown as FakeWorker).blocked,
  );
}

function near(actual: number | undefined, expected: number, what: string): void {
  assert.equal(typeof actual, 'number', what);
  assert.ok(Math.abs((actual as number) - expected) < 1e-9, `${what}: expected ${expected}, got ${String(actual)}`);
}

test('the first call starts the count; each later one measures since the one before', () => {
  const worker = new FakeWorker();
  const utilization = sampling([worker]);
  worker.pass(1000, 0.9);
  assert.equal(utilization.sample(), undefined);
  worker.pass(100, 0.3);
  near(utilization.sample(), 0.3, 'the window after the first call');
  worker.pass(200, 0.75);
  near(utilization.sample(), 0.75, 'the next window alone');
});

test('time blocked in a sync wait for work is taken out of the active time', () => {
  const worker = new FakeWorker();
  const utilization = sampling([worker]);
  utilization.sample();
  worker.pass(100, 0.1, 0.9); // the loop reads 100% active
  near(utilization.sample(), 0.1, 'an idle ring worker');
});

test('the workers are averaged', () => {
  const busy = new FakeWorker();
  const idle = new FakeWorker();
  const utilization = sampling([busy, idle]);
  utilization.sample();
  busy.pass(100, 1);
  idle.pass(100, 0, 1);
  near(utilization.sample(), 0.5, 'one busy worker of two');
});

test('a replacement counts from the call after the one that first sees it; a worker gone counts no more', () => {
  const first = new FakeWorker();
  const second = new FakeWorker();
  const workers = [first, second];
  const utilization = sampling(workers);
  utilization.sample();
  first.pass(100, 1);
  second.pass(100, 0);
  // `second` dies; its replacement has run a while before it is seen.
  const replacement = new FakeWorker();
  replacement.pass(5000, 0.2);
  workers[1] = replacement;
  near(utilization.sample(), 1, 'the surviving worker alone');
  first.pass(100, 0.4);
  replacement.pass(100, 0.6);
  near(utilization.sample(), 0.5, 'both, the replacement over this window only');
  workers.length = 0;
  assert.equal(utilization.sample(), undefined, 'no worker');
});

test('a worker that has not started its loop, or has exited, is skipped', () => {
  const live = new FakeWorker();
  const exited = new FakeWorker();
  const utilization = sampling([live, exited]);
  exited.pass(100, 0.5);
  utilization.sample();
  live.pass(100, 0.25);
  exited.idle = 0; // Node reads zeros once the worker has exited
  exited.active = 0;
  near(utilization.sample(), 0.25, 'the live worker alone');
  const notStarted = new FakeWorker();
  const alone = sampling([notStarted]);
  alone.sample();
  assert.equal(alone.sample(), undefined, 'no time passed in the loop');
});

test('undefined, never a throw, where a worker\'s loop is not measured (Bun, Deno)', () => {
  const kinds: Record<string, unknown> = {
    'no performance': {},
    'no eventLoopUtilization': { performance: {} },
    'a throwing eventLoopUtilization': {
      performance: {
        eventLoopUtilization: () => {
          throw new Error('not implemented');
        },
      },
    },
    'readings that are not numbers': { performance: { eventLoopUtilization: () => ({ idle: 'x', active: Number.NaN }) } },
    'no readings': { performance: { eventLoopUtilization: () => undefined } },
  };
  for (const [what, worker] of Object.entries(kinds)) {
    const utilization = new WorkerUtilization(() => [worker as Worker]);
    assert.equal(utilization.sample(), undefined, `${what}: first call`);
    assert.equal(utilization.sample(), undefined, `${what}: second call`);
  }
});

const anyReading = fc.oneof(
  fc.double({ min: -1e6, max: 1e9, noNaN: true }),
  fc.constantFrom(0, -0, 1e-12, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);

test('whatever the readings (going back, garbage, workers coming and going), a call gives undefined or a share from 0 to 1', () => {
  const step = fc.record({
    workers: fc.array(fc.record({ id: fc.integer({ min: 0, max: 3 }), idle: anyReading, active: anyReading, blocked: anyReading }), { maxLength: 4 }),
  });
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 20 }), (steps) => {
      const pool = [0, 1, 2, 3].map(() => new FakeWorker());
      let live: FakeWorker[] = [];
      const utilization = new WorkerUtilization(
        () => live as unknown as Worker[],
        (worker) => (worker as unknown as FakeWorker).blocked,
      );
      for (const { workers } of steps) {
        live = [];
        for (const { id, idle, active, blocked } of workers) {
          const worker = pool[id] as FakeWorker;
          Object.assign(worker, { idle, active, blocked });
          if (!live.includes(worker)) live.push(worker);
        }
        const value = utilization.sample();
        if (value !== undefined) assert.ok(value >= 0 && value <= 1, `got ${value}`);
      }
    }),
  );
});
