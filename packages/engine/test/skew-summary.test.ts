import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeRun } from '../src/measure/run-summary.js';
import { steadyState, summarizeSkew } from '../src/workload/skew-summary.js';

// A hand-built run: 4 messages, concurrency 2, every figure worked out on paper.
//
//   message   read  started  ended  acked   in [0, 20]?   busy inside [0, 20]
//   0           0      1       9     10     yes            9 - 1 = 8
//   1           0      2      19     20     yes (at `to`)  19 - 2 = 17
//   2          10     11      24     25     no             20 - 11 = 9
//   3          20     21      39     40     no             0 (starts after `to`)
//
// window: first read 0 to last read 20 = 20 ms; 2 acks in it -> 100 msg/s;
// busy 34 ms over 20 ms = 1.7 messages = 0.85 of the 2 slots;
// end-to-end 10, 20, 15, 20 ms; the run asked for at -5 and ended at 45 ms: wall
// msg/s counts from the first read, 4 / 45 ms = 88.9 msg/s.
const times = {
  readAt: [0, 0, 10, 20],
  startedAt: [1, 2, 11, 21],
  endedAt: [9, 19, 24, 39],
  ackedAt: [10, 20, 25, 40],
  lags: [1, 2, 3, 4],
  begin: -5,
  end: 45,
};

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual}, expected ${expected}`);
}

test('steadyState counts the acks from the first read to the last read, both ends included', () => {
  const steady = steadyState(times.readAt, times.ackedAt);
  assert.equal(steady.from, 0);
  assert.equal(steady.to, 20);
  assert.equal(steady.acked, 2);
  close(steady.throughput, 100, 'throughput');
});

test('steadyState leaves out acks before the first read and after the last read', () => {
  // Reads at 5, 6, 7 and 15 ms; acks at 4 (before), 5 (at `from`), 15 (at `to`) and 16 (after).
  const steady = steadyState([5, 6, 7, 15], [4, 5, 15, 16]);
  assert.equal(steady.acked, 2);
  close(steady.throughput, 200, 'throughput'); // 2 acks in 10 ms
});

test('summarizeSkew works out throughput, efficiency against the oracle, busy share, percentiles and means', () => {
  const figures = summarizeSkew({
    concurrency: 2,
    latencies: [4, 8, 12, 16],
    measured: [8, 17, 13, 18],
    failed: 0,
    oracleThroughput: 125,
    times,
  });
  close(figures.throughput, 100, 'throughput');
  close(figures.oracleThroughput, 125, 'oracle throughput');
  close(figures.efficiency, 0.8, 'efficiency = 100 / 125');
  close(figures.workerBusyShare, 0.85, 'worker busy share = 34 / 20 / 2');
  close(figures.wallThroughput, 4000 / 45, 'wall throughput = 4 / 45 ms, from the first read (0), not from when the run was asked for (-5)');
  close(figures.seconds, 0.045, 'seconds, from the first read');
  assert.equal(figures.steadyAcked, 2, 'acks in the steady-state window');
  close(figures.sampledMeanMs, 10, 'sampled mean = (4 + 8 + 12 + 16) / 4');
  close(figures.measuredMeanMs, 14, 'measured mean = (8 + 17 + 13 + 18) / 4');
  // Nearest rank over 10, 15, 20, 20: p50 is the 2nd, p99 the 4th.
  assert.equal(figures.latencyP50, 15);
  assert.equal(figures.latencyP99, 20);
  assert.equal(figures.lagP50, 2);
  assert.equal(figures.lagP99, 4);
  assert.equal(figures.failed, 0);
});

test('summarizeSkew: an engine as fast as the oracle has efficiency 1; half as fast, 0.5', () => {
  const base = { concurrency: 2, latencies: [4, 8, 12, 16], measured: [4, 8, 12, 16], failed: 0, times };
  close(summarizeSkew({ ...base, oracleThroughput: 100 }).efficiency, 1, 'efficiency');
  close(summarizeSkew({ ...base, oracleThroughput: 200 }).efficiency, 0.5, 'efficiency');
});

test('summarizeRun: the figures of any run, without an oracle or latencies known beforehand (tidemark bench on a transform)', () => {
  const figures = summarizeRun({ concurrency: 2, failed: 1, times });
  assert.equal(figures.steady.acked, 2, 'acks in the steady-state window');
  close(figures.throughput, 100, 'throughput');
  close(figures.workerBusyShare, 0.85, 'worker busy share');
  close(figures.wallThroughput, 4000 / 45, 'wall throughput');
  assert.equal(figures.latencyP99, 20);
  assert.equal(figures.lagP50, 2);
  assert.equal(figures.failed, 1);
  assert.ok(!('efficiency' in figures) && !('oracleThroughput' in figures), 'nothing about an oracle');
  const skew = summarizeSkew({ concurrency: 2, latencies: [1], measured: [1], failed: 1, oracleThroughput: 50, times });
  for (const key of ['throughput', 'wallThroughput', 'steadyAcked', 'workerBusyShare', 'latencyP50', 'latencyP99', 'lagP50', 'lagP99', 'failed', 'seconds'] as const) {
    assert.equal(skew[key], figures[key], `summarizeSkew's ${key} is summarizeRun's`);
  }
});
