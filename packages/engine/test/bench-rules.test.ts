import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchSettings, runOrder } from '../src/bench/bench-run.js';
import type { BenchRun } from '../src/bench/bench-run.js';
import { bestRule, bestSetting, throughputTolerance } from '../src/bench/best-setting.js';
import { median, medianRun } from '../src/bench/median-run.js';

// The bench's pure parts: which setting is best and why, the order settings
// run in across repeats, and the medians the table shows.

type Ranked = Parameters<typeof bestSetting>[0][number];
const run = (mode: 'async' | 'batch', concurrency: number, throughput: number, latencyP99: number, failed = 0): Ranked => ({
  mode,
  concurrency,
  throughput,
  latencyP99,
  failed,
});

test('the rule states its tolerance', () => {
  assert.equal(throughputTolerance, 0.05);
  assert.match(bestRule, /within 5% of that msg\/s count as tied, and the lowest p99 latency among them wins/);
});

test('the highest throughput wins when no other is within 5% of it', () => {
  const best = bestSetting([run('async', 8, 1000, 10), run('async', 32, 2000, 50), run('batch', 32, 1800, 5)]);
  assert.equal(best.index, 1, '1800 is 10% under 2000: not tied, so its lower p99 does not count');
  assert.match(best.why, /^async at concurrency 32: the highest msg\/s \(2000\), no other within 5% of it; p99 50 ms$/);
});

test('within 5% of the highest throughput, the lowest p99 wins, and the line says so', () => {
  const best = bestSetting([run('async', 8, 1000, 10), run('async', 32, 2000, 50), run('async', 128, 1901, 20)]);
  assert.equal(best.index, 2, '1901 >= 0.95 * 2000');
  assert.match(best.why, /^async at concurrency 128: 1901 msg\/s, within 5% of the highest \(2000, async at concurrency 32\), and the lowest p99 \(20 ms against 50 ms\)/);
  // Just outside the tolerance it is not tied.
  assert.equal(bestSetting([run('async', 32, 2000, 50), run('async', 128, 1899, 20)]).index, 0);
});

test('the rule applies to the figures as printed: msg/s to a whole number, p99 to 0.1 ms', () => {
  // 1899.6 prints as 1900 = 0.95 * 2000: tied. p99 20.04 and 20.01 both print 20.0: the higher msg/s wins.
  assert.equal(bestSetting([run('async', 32, 2000, 50), run('async', 128, 1899.6, 20.04), run('batch', 128, 1950, 20.01)]).index, 2);
  assert.equal(bestSetting([run('async', 32, 2000, 50), run('async', 128, 1950.2, 20.04), run('batch', 128, 1950.4, 20.01)]).index, 1, 'then the first in the table');
});

test('settings with more failed records lose to those with fewer, however fast', () => {
  const best = bestSetting([run('async', 8, 1000, 10, 0), run('async', 128, 5000, 5, 3)]);
  assert.equal(best.index, 0);
  assert.match(best.why, /among the 1 with the fewest failed records \(0\)/);
});

test('one setting is the best by default', () => {
  assert.match(bestSetting([run('batch', 4, 10, 1)]).why, /^batch at concurrency 4: the only setting/);
});

test('settings run concurrency by concurrency, forward on even repeats and reversed on odd ones', () => {
  const settings = benchSettings([8, 32], ['async', 'batch']);
  assert.deepEqual(settings, [
    { mode: 'async', concurrency: 8 },
    { mode: 'batch', concurrency: 8 },
    { mode: 'async', concurrency: 32 },
    { mode: 'batch', concurrency: 32 },
  ]);
  assert.deepEqual(runOrder(settings, 0), settings);
  assert.deepEqual(runOrder(settings, 1), [...settings].reverse());
  assert.deepEqual(runOrder(settings, 2), settings);
});

test('median: the middle value, or the mean of the middle two', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('medianRun takes every figure\'s median on its own, keeps the settings, and recomputes efficiency from the medians', () => {
  const timeline = (tag: number) => ({ inFlight: [[tag, 1] as const], watermarkLag: [], latencies: [] });
  const base = { mode: 'async', concurrency: 8, threads: 2, messages: 100, wallThroughput: 1, workerBusyShare: 1, latencyP50: 1, lagP50: 1, lagP99: 1, failed: 0, seconds: 1 } as const;
  const runs: BenchRun[] = [
    { ...base, throughput: 100, latencyP99: 30, oracleThroughput: 200, efficiency: 0.5, timeline: timeline(1) },
    { ...base, throughput: 300, latencyP99: 10, oracleThroughput: 400, efficiency: 0.75, timeline: timeline(2) },
    { ...base, throughput: 200, latencyP99: 20, oracleThroughput: 100, efficiency: 2, timeline: timeline(3) },
  ];
  const m = medianRun(runs);
  assert.equal(m.throughput, 200);
  assert.equal(m.latencyP99, 20);
  assert.equal(m.oracleThroughput, 200);
  assert.equal(m.efficiency, 1, 'median msg/s over median oracle, not the median of the efficiencies (0.75)');
  assert.equal(m.concurrency, 8);
  assert.equal(m.messages, 100);
  assert.deepEqual(m.timeline, timeline(3), 'the timeline of the run nearest the median throughput');
});
