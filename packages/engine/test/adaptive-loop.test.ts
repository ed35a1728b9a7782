import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { AdaptiveConcurrency } from '../src/concurrency/adaptive-concurrency.js';
import { adaptiveSettings } from '../src/concurrency/adaptive-options.js';
import type { AdaptiveConcurrencyOptions } from '../src/concurrency/adaptive-options.js';
import type { ConcurrencyChange } from '../src/concurrency/gradient-controller.js';
import { LatencySamples } from '../src/concurrency/latency-samples.js';

// The controller at work, on node:test's fake timers and a clock the test
// moves: what counts as a probe's sample, when a window is judged, when a
// probe comes again, what a second run keeps, and the memory signal.

class Harness {
  at = 1_000_000;
  utilization: number | undefined = 0.1;
  /** The processing or output buffer's byte share in use. */
  bytes = 0;
  /** The heap limit's share in use. */
  heap = 0.1;
  readonly changes: ConcurrencyChange[] = [];
  readonly failures: unknown[] = [];
  readonly steered = { concurrency: 0 };
  readonly loop: AdaptiveConcurrency;
  readonly #t: TestContext;

  constructor(t: TestContext, options: Partial<AdaptiveConcurrencyOptions> = {}) {
    this.#t = t;
    t.mock.timers.enable({ apis: ['setInterval'] });
    const settings = adaptiveSettings({ min: 1, max: 100, initial: 10, window: 100, windowSamples: 5, probeSamples: 4, probeInterval: 10_000, ...options }, 10);
    this.loop = new AdaptiveConcurrency(settings, { utilization: () => this.utilization }, (change) => this.changes.push(change), {
      random: () => 0.5,
      clock: () => this.at,
      heap: () => this.heap,
    });
  }

  attach(): void {
    this.loop.attach(this.steered, () => this.bytes, (error) => this.failures.push(error));
  }

  /** `n` tries of `latency` ms, dispatched at `dispatchedAt`, with `running` at the transport. */
  tries(n: number, latency: number, running: number, dispatchedAt = this.at): void {
    for (let i = 0; i < n; i++) this.loop.tried(latency, dispatchedAt, running);
  }

  /** A window's time passes: the timer fires. */
  tick(ms = 100): void {
    this.at += ms;
    this.#t.mock.timers.tick(ms);
  }

  get reasons(): string[] {
    return this.changes.map((c) => `${c.reason} ${c.to}`);
  }
}

/** Let queued microtasks run (the probe ends in one, after the completion that brought its last sample). */
const microtasks = () => new Promise<void>((resolve) => setImmediate(resolve));

test('a run starts with a probe at min; only tries dispatched since it began count, and it ends with the last of probeSamples', async (t) => {
  const h = new Harness(t);
  h.attach();
  assert.deepEqual(h.reasons, ['probe 1']);
  assert.equal(h.steered.concurrency, 1, 'the dispatcher is at min');
  h.tries(30, 500, 10, h.at - 1); // in flight before the probe: not no-load latencies
  h.tick();
  assert.deepEqual(h.reasons, ['probe 1'], 'still probing');
  h.tries(4, 10, 1);
  await microtasks();
  assert.deepEqual(h.reasons, ['probe 1', 'probed 10'], 'ended without waiting for a tick');
  assert.equal(h.loop.target, 10);
  assert.equal(h.steered.concurrency, 10);
  assert.equal(h.changes[1]?.noLoadLatency, 10);
  h.loop.detach();
});

test('a probe that gets no samples (tries that hang hold the slots) ends after 10 windows, the no-load latency unknown', (t) => {
  const h = new Harness(t);
  h.attach();
  for (let i = 0; i < 9; i++) h.tick();
  assert.deepEqual(h.reasons, ['probe 1'], 'still probing after 9 windows');
  h.tick();
  assert.deepEqual(h.reasons, ['probe 1', 'probed 10'], 'back to the target after 10');
  assert.equal(h.loop.target, 10);
  h.loop.detach();
});

test('a window is judged once it has windowSamples tries; flat latency at full use grows the target', async (t) => {
  const h = new Harness(t);
  h.attach();
  h.tries(4, 10, 1);
  await microtasks();
  h.tries(4, 10, 10); // fewer than windowSamples (5)
  h.tick();
  assert.equal(h.loop.target, 10, 'not judged yet');
  h.tries(1, 10, 10);
  h.tick();
  assert.equal(h.changes.at(-1)?.reason, 'grow');
  assert.ok(h.loop.target > 10 && h.steered.concurrency === h.loop.target);
  const signals = h.changes.at(-1)?.signals;
  assert.equal(signals?.latency, 10);
  assert.equal(signals?.running, 10);
  assert.equal(signals?.throughput, 5 * 1000 / 200, 'tries over the window\'s time, which ran two ticks');
  h.loop.detach();
});

test('a probe comes again after probeInterval, and a second run keeps the target and the no-load latency', async (t) => {
  const h = new Harness(t);
  h.attach();
  h.tries(4, 10, 1);
  await microtasks();
  h.loop.detach();
  h.attach(); // a second run
  assert.deepEqual(h.reasons, ['probe 1', 'probed 10'], 'no new probe: the no-load latency is known');
  assert.equal(h.steered.concurrency, 10);
  h.at += 11_000; // past probeInterval (±10%)
  h.tries(5, 10, 2); // app-limited: no growth, but the window is judged
  h.tick();
  assert.deepEqual(h.reasons.slice(2), ['probe 1']);
  h.loop.detach();
});

test('a heap near its limit backs the target off, full byte limits hold it; a throwing listener is reported, not thrown from the timer', async (t) => {
  const h = new Harness(t, { memoryLimit: 0.8 });
  h.attach();
  h.tries(4, 10, 1);
  await microtasks();
  h.bytes = 0.85;
  h.tries(5, 10, 10);
  h.tick();
  assert.deepEqual(h.reasons.at(-1), 'probed 10', 'byte limits near full: no growth');
  h.heap = 0.85;
  h.tries(5, 10, 10);
  h.tick();
  assert.deepEqual(h.reasons.at(-1), 'memory 9');
  const failing = new AdaptiveConcurrency(adaptiveSettings({ min: 1, max: 4 }, 2), { utilization: () => undefined }, () => {
    throw new Error('listener');
  });
  const failures: unknown[] = [];
  failing.attach({ concurrency: 0 }, () => 0, (error) => failures.push(error));
  assert.equal((failures[0] as Error | undefined)?.message, 'listener');
  failing.detach();
  h.loop.detach();
});

test('LatencySamples: the median of an even count is the upper middle one, and past 4,096 the latest are kept', () => {
  const samples = new LatencySamples();
  assert.ok(Number.isNaN(samples.median()));
  for (const value of [4, 1, 3, 2]) samples.add(value);
  assert.equal(samples.median(), 3);
  samples.add(Number.NaN);
  samples.add(-1);
  assert.equal(samples.size, 4, 'NaN and negative latencies are not samples');
  samples.clear();
  for (let i = 0; i < 4096; i++) samples.add(1);
  for (let i = 0; i < 4096; i++) samples.add(100);
  assert.equal(samples.size, 8192, 'every try counts');
  assert.equal(samples.median(), 100, 'the latest 4,096 are kept');
});
