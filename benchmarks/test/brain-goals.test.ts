import assert from 'node:assert/strict';
import { test } from 'node:test';
import { awaitCheck, capacityChecks, cpuChecks, priorityCheck, starvationBound, starvationChecks } from '../src/brain-goals.js';
import type { SettingFigures, StarvationFigures } from '../src/brain-goals.js';

const setting = (fixed: number | undefined, throughput: number, latencyP50: number): SettingFigures => ({
  name: fixed === undefined ? 'adaptive' : `fixed ${fixed}`,
  fixed,
  throughput,
  latencyP50,
  latencyP99: latencyP50 * 4,
});

test('capacity: adaptive against the best fixed setting and against fixed 256', () => {
  const settings = [setting(undefined, 1215, 28.4), setting(4, 334, 12.1), setting(32, 1350, 12.9), setting(64, 1380, 25.6), setting(256, 1333, 96.7)];
  const [throughput, latency] = capacityChecks(settings, 256);
  assert.deepEqual(throughput, {
    name: 'shifting capacity: adaptive msg/s ÷ best fixed (fixed 64) ≥ 0.9',
    pass: false,
    detail: '0.880 (1,215 ÷ 1,380)',
  });
  assert.deepEqual(latency, {
    name: 'shifting capacity: adaptive p50 ÷ fixed 256 p50 (read→ack) ≤ 0.5',
    pass: true,
    detail: '0.294 (28.4 ms ÷ 96.7 ms)',
  });
});

test('capacity: the bars themselves pass, just past them fails', () => {
  assert.deepEqual(
    capacityChecks([setting(undefined, 900, 50), setting(256, 1000, 100)], 256).map((c) => c.pass),
    [true, true],
  );
  assert.deepEqual(
    capacityChecks([setting(undefined, 899, 50.1), setting(256, 1000, 100)], 256).map((c) => c.pass),
    [false, false],
  );
});

test('capacity: a missing setting makes a ratio that cannot pass', () => {
  const checks = capacityChecks([setting(undefined, 900, 50), setting(64, 1000, 100)], 256);
  assert.equal(checks[0]?.pass, true);
  assert.equal(checks[1]?.pass, false);
  assert.equal(checks[1]?.detail, 'NaN (50.0 ms ÷ NaN ms)');
  assert.deepEqual(
    capacityChecks([setting(64, 1000, 100)], 256).map((c) => c.pass),
    [false, false],
  );
});

test('CPU-bound: the settled target within one to two a thread, and at least 0.9 of fixed threads\' throughput', () => {
  assert.deepEqual(cpuChecks(2, 2, 990, 1000), [
    { name: 'CPU-bound: settled target within 1×–2× threads (2–4)', pass: true, detail: '2 (median of the second half; threads 2)' },
    { name: 'CPU-bound: adaptive msg/s ÷ fixed 2 ≥ 0.9', pass: true, detail: '0.990 (990 ÷ 1,000)' },
  ]);
  const pass = (settled: number, threads: number, throughput = 1000, fixed = 1000) => cpuChecks(settled, threads, throughput, fixed).map((c) => c.pass);
  // Stuck at min on 2 threads: one thread idles, whatever the throughput says.
  assert.deepEqual(pass(1, 2), [false, true]);
  assert.deepEqual(pass(1.5, 2), [false, true]);
  assert.deepEqual(pass(4, 2), [true, true]);
  assert.deepEqual(pass(5, 2), [false, true]);
  assert.deepEqual(pass(7, 8), [false, true]);
  assert.deepEqual(pass(1, 1), [true, true]);
  // The throughput bar itself passes, just below it fails.
  assert.deepEqual(pass(2, 2, 900, 1000), [true, true]);
  assert.deepEqual(pass(2, 2, 899, 1000), [true, false]);
  // A figure missing (no run, NaN) passes neither.
  assert.deepEqual(pass(Number.NaN, 2, Number.NaN, 1000), [false, false]);
  assert.deepEqual(pass(2, 2, 1000, Number.NaN), [true, false]);
});

test('await-bound: the final target must be max', () => {
  assert.deepEqual(awaitCheck(256, 256, 1.814), { name: 'await-bound: target rises to max (256)', pass: true, detail: 'final 256; first at max after 1.81 s' });
  assert.deepEqual(awaitCheck(54, 256, undefined), { name: 'await-bound: target rises to max (256)', pass: false, detail: 'final 54; first at max after never' });
});

test('priority: high p50 at most a quarter of FIFO\'s', () => {
  const fifo = { name: 'fifo', highP50: 1200 };
  assert.deepEqual(priorityCheck(fifo, { name: 'priority', highP50: 300 }), {
    name: "priority (priority): high p50 ÷ FIFO's (read→ack) ≤ 0.25",
    pass: true,
    detail: '0.250 (300.0 ms ÷ 1200.0 ms)',
  });
  assert.equal(priorityCheck(fifo, { name: 'priority', highP50: 301 }).pass, false);
  assert.equal(priorityCheck({ ...fifo, highP50: Number.NaN }, { name: 'priority', highP50: 1 }).pass, false);
});

const starved = (name: string, round: number, lowWhileHighs: number, lowMaxWait: number, maxWait: number): StarvationFigures => ({
  name,
  round,
  lowSent: 192,
  lowWhileHighs,
  lowMaxWait,
  maxWait,
});

test('starvation bound: Δp levels of aging plus the FIFO run\'s longest wait', () => {
  assert.equal(starvationBound(1, 1000, 262), 1262);
  assert.equal(starvationBound(2, 500, 40), 1040);
  assert.ok(Number.isNaN(starvationBound(1, 1000, Number.NaN)));
});

test('starvation: every low done while highs arrive, its max wait within the bound of the same round\'s FIFO run', () => {
  const fifo = [starved('fifo', 0, 192, 20, 262), starved('fifo', 1, 192, 25, 300)];
  const aged = [starved('priority, aging', 0, 192, 1262, 1270), starved('priority, aging', 1, 192, 1250, 1255)];
  assert.deepEqual(starvationChecks(aged, fifo, 1, 1000), [
    {
      name: 'starvation (priority, aging): every low-priority message completed while high-priority ones still arrived',
      pass: true,
      detail: '192 of 192; 192 of 192',
    },
    {
      name: "starvation (priority, aging): low max wait ≤ (Δp × priorityAging + FIFO max wait) × 1.05 (1 × 1000 ms + the FIFO run's of the same round; 5% for the two runs' jitter)",
      pass: true,
      detail: '1,262 ms (bound 1,000 + 262 = 1,262 ms); 1,250 ms (bound 1,000 + 300 = 1,300 ms)',
    },
  ]);
  // 1 ms past its own round's bound with the 5% allowance (1,262 × 1.05 = 1,325.1) fails, though round 1's (1,365) would have let it pass.
  const late = [starved('priority, aging', 0, 192, 1326, 1330), starved('priority, aging', 1, 192, 1250, 1255)];
  assert.deepEqual(
    starvationChecks(late, fifo, 1, 1000).map((c) => c.pass),
    [true, false],
  );
  const starving = [starved('priority, aging', 0, 191, 1000, 1270)];
  assert.deepEqual(
    starvationChecks(starving, fifo, 1, 1000).map((c) => c.pass),
    [false, true],
  );
});

test('starvation: no aging run, no low sent, or no FIFO run of the round is no pass', () => {
  const fifo = [starved('fifo', 0, 192, 20, 262)];
  assert.deepEqual(
    starvationChecks([], fifo, 1, 1000).map((c) => [c.pass, c.detail]),
    [
      [false, 'no run'],
      [false, 'no run'],
    ],
  );
  assert.equal(starvationChecks([{ ...starved('priority, aging', 0, 0, Number.NaN, 10), lowSent: 0 }], fifo, 1, 1000)[0]?.pass, false);
  const [done, wait] = starvationChecks([starved('priority, aging', 1, 192, 900, 1000)], fifo, 1, 1000);
  assert.equal(done?.pass, true);
  assert.equal(wait?.pass, false);
  assert.equal(wait?.detail, '900 ms (bound 1,000 + NaN = NaN ms)');
});
