import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adaptiveSettings } from '../src/concurrency/adaptive-options.js';
import type { AdaptiveConcurrencyOptions } from '../src/concurrency/adaptive-options.js';
import { GradientController } from '../src/concurrency/gradient-controller.js';
import type { ConcurrencyChange, WindowSignals } from '../src/concurrency/gradient-controller.js';

// The controller against models of what it steers, window by window: a
// downstream with K slots (latency grows past K, throughput plateaus at
// K), a CPU-bound pool of T threads (saturated past T), and an await with
// no limit. Each model answers a target with the window's signals.

/** What a target of `limit` in flight gives for one window. */
type Plant = (limit: number) => Omit<WindowSignals, 'at'>;

/** K slots of `serviceMs` each: past K, calls queue. */
function slots(k: number, serviceMs = 10): Plant {
  return (limit) => ({
    latency: serviceMs * Math.max(1, limit / k),
    throughput: (Math.min(limit, k) * 1000) / serviceMs,
    running: limit,
    utilization: 0.05,
    memory: 0,
    bytes: 0,
  });
}

/** T threads busy `serviceMs` a message: past T, messages wait for a thread. */
function cpu(threads: number, serviceMs = 1): Plant {
  return (limit) => ({
    latency: serviceMs * Math.max(1, limit / threads),
    throughput: (Math.min(limit, threads) * 1000) / serviceMs,
    running: limit,
    utilization: Math.min(1, limit / threads),
    memory: 0,
    bytes: 0,
  });
}

class Drive {
  readonly controller: GradientController;
  readonly changes: ConcurrencyChange[] = [];
  at = 0;

  constructor(options: Partial<AdaptiveConcurrencyOptions> = {}) {
    this.controller = new GradientController(adaptiveSettings({ min: 1, max: 256, initial: 8, ...options }, 8), () => 0.5);
  }

  /** The start: a probe at min measures the plant's no-load latency. */
  probe(plant: Plant): this {
    this.#record(this.controller.probe(this.at));
    this.#record(this.controller.probed(plant(this.controller.target).latency, (this.at += 100)));
    return this;
  }

  /** `n` windows against `plant`; the targets after each. */
  windows(plant: Plant, n: number): number[] {
    const targets: number[] = [];
    for (let i = 0; i < n; i++) {
      this.#record(this.controller.window({ ...plant(this.controller.target), at: (this.at += 100) }));
      targets.push(this.controller.target);
    }
    return targets;
  }

  #record(change: ConcurrencyChange | undefined): void {
    if (change !== undefined) this.changes.push(change);
  }
}

const within = (targets: number[], low: number, high: number) => targets.every((t) => t >= low && t <= high);

test('against K slots it settles just past K, and follows K as it shifts 8 → 32 → 4', () => {
  const drive = new Drive().probe(slots(8));
  const phase8 = drive.windows(slots(8), 40).slice(-20);
  assert.ok(within(phase8, 8, 16), `settled past K=8 without doubling the latency: ${phase8.join(' ')}`);
  const phase32 = drive.windows(slots(32), 40);
  assert.ok(phase32.slice(0, 5).some((t) => t >= 32), `reaches K=32 within 5 windows: ${phase32.slice(0, 5).join(' ')}`);
  assert.ok(within(phase32.slice(-20), 32, 64), `settled past K=32: ${phase32.slice(-20).join(' ')}`);
  const phase4 = drive.windows(slots(4), 40);
  assert.ok(phase4.slice(0, 10).some((t) => t <= 8), `back near K=4 within 10 windows: ${phase4.slice(0, 10).join(' ')}`);
  assert.ok(within(phase4.slice(-20), 4, 8), `settled past K=4: ${phase4.slice(-20).join(' ')}`);
  const reasons = new Set(drive.changes.map((c) => c.reason));
  assert.deepEqual([...reasons].sort(), ['grow', 'latency', 'probe', 'probed']);
});

test('settled, it oscillates within the band the README states: the last 20 windows within 25% (or 2) of their median', () => {
  for (const k of [4, 8, 32, 100]) {
    const drive = new Drive().probe(slots(k));
    const settled = drive.windows(slots(k), 60).slice(-20);
    const median = [...settled].sort((a, b) => a - b)[10] as number;
    const band = Math.max(median * 0.25, 2);
    assert.ok(within(settled, median - band, median + band), `K=${k}: ${settled.join(' ')} around ${median}`);
  }
});

test('CPU-bound on T threads it settles near T: growth stops once the workers are saturated', () => {
  for (const threads of [2, 4, 8]) {
    const drive = new Drive({ initial: 16 }).probe(cpu(threads));
    const settled = drive.windows(cpu(threads), 60).slice(-20);
    assert.ok(within(settled, threads, threads + 2), `T=${threads}: ${settled.join(' ')}`);
  }
});

test('an await with no limit rises to max, and stays there', () => {
  const drive = new Drive({ max: 500 }).probe(slots(Number.POSITIVE_INFINITY));
  const targets = drive.windows(slots(Number.POSITIVE_INFINITY), 60);
  assert.equal(targets.at(-1), 500);
  assert.ok(targets.slice(-10).every((t) => t === 500));
});

test('a latency that rises with the throughput to match is not backed off from', () => {
  const drive = new Drive({ initial: 40 }).probe(slots(1000));
  // Twice the latency, twice the throughput at the same target: more is served, not queued.
  const change = drive.controller.window({ at: 1e6, latency: 20, throughput: 4000, running: 40, utilization: 0.1, memory: 0, bytes: 0 });
  assert.equal(change, undefined);
  assert.equal(drive.controller.target, 40);
  // Twice the latency at the throughput of before: queueing; it backs off.
  const backOff = drive.controller.window({ at: 1e6 + 100, latency: 20, throughput: 2000, running: 40, utilization: 0.1, memory: 0, bytes: 0 });
  assert.equal(backOff?.reason, 'latency');
  assert.ok((backOff?.to ?? 40) < 40);
});

test('it does not grow while less than half the target is in use (the source is the limit)', () => {
  const drive = new Drive({ initial: 40 }).probe(slots(1000));
  for (let i = 0; i < 10; i++) drive.controller.window({ at: (drive.at += 100), latency: 10, throughput: 1000, running: 10, utilization: 0.1, memory: 0, bytes: 0 });
  assert.equal(drive.controller.target, 40);
});

test('a heap near its limit backs off, whatever the latency; byte limits near full only stop growth', () => {
  const drive = new Drive({ initial: 100, memoryLimit: 0.8 }).probe(slots(1000));
  const change = drive.controller.window({ at: 1e6, latency: 10, throughput: 10_000, running: 100, utilization: 0.1, memory: 0.85, bytes: 0 });
  assert.equal(change?.reason, 'memory');
  assert.equal(change?.to, 90);
  const full = drive.controller.window({ at: 1e6 + 100, latency: 10, throughput: 9000, running: 90, utilization: 0.1, memory: 0.1, bytes: 0.85 });
  assert.equal(full, undefined, 'no growth while the processing or output bytes are near their limit');
  assert.equal(drive.controller.window({ at: 1e6 + 200, latency: 10, throughput: 9000, running: 90, utilization: 0.1, memory: 0.1, bytes: 0.5 })?.reason, 'grow');
});

test('the no-load latency is probed again after probeInterval, and after 5 windows at min', () => {
  const drive = new Drive({ probeInterval: 1000 }).probe(slots(8));
  assert.equal(drive.controller.probeDue(drive.at + 500), false);
  assert.equal(drive.controller.probeDue(drive.at + 1100), true, 'interval (±10% jitter) passed');
  const stuck = new Drive({ min: 2, initial: 2 }).probe(slots(8));
  // Latency far above no-load at min: the no-load latency itself rose (the downstream got slower).
  for (let i = 0; i < 5; i++) stuck.controller.window({ at: (stuck.at += 100), latency: 100, throughput: 20, running: 2, utilization: 0.1, memory: 0, bytes: 0 });
  assert.equal(stuck.controller.probeDue(stuck.at), true);
  stuck.controller.probe(stuck.at);
  stuck.controller.probed(100, stuck.at + 100);
  assert.equal(stuck.controller.noLoadLatency, 100, 'the new no-load latency replaces the old');
});
