import assert from 'node:assert/strict';
import { test } from 'node:test';
import { awaitCheck, capacityChecks, cpuCheck, lowCompletedCheck, median, priorityCheck } from '../src/brain-goals.js';
import type { SettingFigures } from '../src/brain-goals.js';

const setting = (fixed: number | undefined, throughput: number, latencyP50: number): SettingFigures => ({
  name: fixed === undefined ? 'adaptive' : `fixed ${fixed}`,
  fixed,
  throughput,
  latencyP50,
  latencyP99: latencyP50 * 4,
});

test('the median of an even count is the mean of the middle two', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.ok(Number.isNaN(median([])));
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

test('CPU-bound: the settled target within half to twice the threads', () => {
  assert.equal(cpuCheck(1, 2).pass, true);
  assert.equal(cpuCheck(4, 2).pass, true);
  assert.equal(cpuCheck(5, 2).pass, false);
  assert.equal(cpuCheck(3, 8).pass, false);
  assert.equal(cpuCheck(Number.NaN, 2).pass, false);
  assert.equal(cpuCheck(3, 2).name, 'CPU-bound: settled target within 0.5×–2× threads (1–4)');
});

test('await-bound: the final target must be max', () => {
  assert.deepEqual(awaitCheck(256, 256, 1.814), { name: 'await-bound: target rises to max (256)', pass: true, detail: 'final 256; first at max after 1.81 s' });
  assert.deepEqual(awaitCheck(54, 256, undefined), { name: 'await-bound: target rises to max (256)', pass: false, detail: 'final 54; first at max after never' });
});

test('priority: high p50 at most a quarter of FIFO\'s', () => {
  const fifo = { name: 'fifo', highP50: 1200, lowSent: 2696, lowCompleted: 2696 };
  assert.deepEqual(priorityCheck(fifo, { name: 'priority', highP50: 300, lowSent: 2696, lowCompleted: 2696 }), {
    name: "priority (priority): high p50 ÷ FIFO's (read→ack) ≤ 0.25",
    pass: true,
    detail: '0.250 (300.0 ms ÷ 1200.0 ms)',
  });
  assert.equal(priorityCheck(fifo, { name: 'priority', highP50: 301, lowSent: 1, lowCompleted: 1 }).pass, false);
  assert.equal(priorityCheck({ ...fifo, highP50: Number.NaN }, { name: 'priority', highP50: 1, lowSent: 1, lowCompleted: 1 }).pass, false);
});

test('priority: every low-priority message completed, and none sent is no pass', () => {
  assert.deepEqual(lowCompletedCheck({ name: 'priority', highP50: 1, lowSent: 2696, lowCompleted: 2696 }), {
    name: 'priority (priority): every low-priority message completed',
    pass: true,
    detail: '2696 of 2696',
  });
  assert.equal(lowCompletedCheck({ name: 'priority', highP50: 1, lowSent: 2696, lowCompleted: 2695 }).pass, false);
  assert.equal(lowCompletedCheck({ name: 'priority', highP50: 1, lowSent: 0, lowCompleted: 0 }).pass, false);
});
