import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NatsSession } from '../src/nats-session.js';
import { latencyTable, natsRows, throughputTable } from '../src/nats-summary.js';

/** A session of `processes` in `round` with the figures that matter here; the rest fixed. */
function session(processes: number, round: number, messagesPerSecond: number, p99Ms: number, shares: number[] = [1]): NatsSession {
  return {
    workload: 'await',
    processes,
    round,
    position: 0,
    messages: 1000,
    seconds: 1000 / messagesPerSecond,
    messagesPerSecond,
    brokerCpuMsPer1k: 100 * processes,
    enginesCpuMsPer1k: 400 + round,
    coresBusy: 1.5,
    shares,
    paced: 500,
    rate: 500,
    achievedRate: 499,
    p50Ms: p99Ms / 10,
    p99Ms,
    maxMs: p99Ms * 2,
  };
}

// Three rounds of 1 and 2 processes, listed out of order, and a warm-up that must not count.
const sessions = [
  session(2, 1, 3000, 30, [0.4, 0.6]),
  session(1, 0, 2000, 10),
  session(1, -1, 100, 999),
  session(2, 0, 2200, 20, [0.45, 0.55]),
  session(1, 2, 2400, 14),
  session(1, 1, 2600, 12),
  session(2, 2, 1800, 40, [0.5, 0.5]),
];

test('a row per process count: medians over the counted rounds, in round order, the warm-up left out', () => {
  const rows = natsRows(sessions);
  assert.deepEqual(
    rows.map((r) => r.processes),
    [2, 1],
  );
  const [two, one] = rows as [(typeof rows)[0], (typeof rows)[0]];
  assert.deepEqual(one.messagesPerSecond, [2000, 2600, 2400]);
  assert.equal(one.medianMessagesPerSecond, 2400);
  assert.equal(one.ratio, 1);
  assert.deepEqual(one.roundRatios, [1, 1, 1]);
  assert.deepEqual(two.messagesPerSecond, [2200, 3000, 1800]);
  assert.equal(two.ratio, 2200 / 2400);
  assert.deepEqual(two.roundRatios, [2200 / 2000, 3000 / 2600, 1800 / 2400]);
  assert.equal(one.p99Ms, 12);
  assert.deepEqual(two.p99PerRound, [20, 30, 40]);
  assert.equal(two.p99Ratio, 30 / 12);
  assert.equal(two.maxMs, 80);
  assert.equal(two.brokerCpuMsPer1k, 200);
  assert.equal(two.enginesCpuMsPer1k, 401);
  // Per round the smallest shares are 0.45, 0.4, 0.5 and the largest 0.55, 0.6, 0.5.
  assert.equal(two.shareMin, 0.45);
  assert.equal(two.shareMax, 0.55);
});

test('the tables print a row per process count with the medians and the rounds', () => {
  const rows = natsRows(sessions);
  const throughput = throughputTable(rows).split('\n');
  assert.equal(throughput.length, 4);
  assert.match(throughput[2] ?? '', /^\| await +\| +2 \| +2,200 \| +0\.92 \| +2,200 \/ 3,000 \/ 1,800 \| +1\.10 \/ 1\.15 \/ 0\.75 \| +200 \| +401 \| +1\.50 \| +45%–55% \|$/);
  assert.match(throughput[3] ?? '', /\| +100% \|$/);
  const latency = latencyTable(rows).split('\n');
  assert.match(latency[2] ?? '', /^\| await +\| +2 \| +500 \| +3\.0 \| +30\.0 \| +2\.50 \| +20\.0 \/ 30\.0 \/ 40\.0 \| +80\.0 \|$/);
});
