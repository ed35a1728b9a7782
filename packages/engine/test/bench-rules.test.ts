import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchSettings, runOrder } from '../src/bench/bench-run.js';
import type { BenchRun } from '../src/bench/bench-run.js';
import { bestRule, bestSetting, throughputTolerance } from '../src/bench/best-setting.js';
import { benchCells } from '../src/bench/bench-table.js';
import { lowerMedian, median, medianRun } from '../src/bench/median-run.js';

// The bench's pure parts: which setting is best and why, the order settings
// run in across repeats, and the medians the table shows.

type Ranked = Parameters<typeof bestSetting>[0][number];
const run = (mode: 'async' | 'batch', concurrency: number, wallThroughput: number, latencyP99: number, failed = 0, messages = 100): Ranked => ({
  mode,
  concurrency,
  wallThroughput,
  latencyP99,
  failed,
  messages,
});

test('the rule states its tolerance, and ranks on wall msg/s', () => {
  assert.equal(throughputTolerance, 0.05);
  assert.match(bestRule, /the highest wall msg\/s wins; settings within 5% of that wall msg\/s count as tied, and the lowest p99 latency among them wins/);
});

test('the highest throughput wins when no other is within 5% of it', () => {
  const best = bestSetting([run('async', 8, 1000, 10), run('async', 32, 2000, 50), run('batch', 32, 1800, 5)]);
  assert.equal(best.index, 1, '1800 is 10% under 2000: not tied, so its lower p99 does not count');
  assert.match(best.why, /^async at concurrency 32: the highest wall msg\/s \(2000\), no other within 5% of it; p99 50 ms$/);
});

test('within 5% of the highest throughput, the lowest p99 wins, and the line says so', () => {
  const best = bestSetting([run('async', 8, 1000, 10), run('async', 32, 2000, 50), run('async', 128, 1901, 20)]);
  assert.equal(best.index, 2, '1901 >= 0.95 * 2000');
  assert.match(best.why, /^async at concurrency 128: 1901 wall msg\/s, within 5% of the highest \(2000, async at concurrency 32\), and the lowest p99 \(20 ms against 50 ms\)/);
  // Just outside the tolerance it is not tied.
  assert.equal(bestSetting([run('async', 32, 2000, 50), run('async', 128, 1899, 20)]).index, 0);
});

test('the rule applies to the figures as printed: wall msg/s to a whole number, p99 to 0.1 ms', () => {
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

test('no setting is best when every record failed in every setting', () => {
  const best = bestSetting([run('async', 1, 500, 1, 3, 3), run('batch', 1, 400, 1, 3, 3)]);
  assert.equal(best.index, undefined);
  assert.equal(best.why, 'none: every record failed in every setting, so no figure measures the transform');
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

test('median: the middle value, or the mean of the middle two, leaving out NaN; lowerMedian: a value that is there', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([4, Number.NaN, 1, 3]), 3, 'a run that could not measure the figure is left out');
  assert.ok(Number.isNaN(median([])));
  assert.ok(Number.isNaN(median([Number.NaN, Number.NaN])));
  assert.equal(lowerMedian([4, 1, 3, 2]), 2);
  assert.equal(lowerMedian([3, 1, 2]), 2);
});

const timeline = (tag: number) => ({ inFlight: [[tag, 1] as const], watermarkLag: [], latencies: [] });
const base = {
  mode: 'async',
  concurrency: 8,
  threads: 2,
  messages: 100,
  steadyAcked: 90,
  workerBusyShare: 1,
  latencyP50: 1,
  lagP50: 1,
  lagP99: 1,
  failed: 0,
  seconds: 1,
} as const;

test('medianRun takes every figure\'s median on its own, keeps the settings, and recomputes efficiency from the medians', () => {
  const runs: BenchRun[] = [
    { ...base, throughput: 100, wallThroughput: 90, latencyP99: 30, oracleThroughput: 200, efficiency: 0.5, timeline: timeline(1) },
    { ...base, throughput: 300, wallThroughput: 290, latencyP99: 10, oracleThroughput: 400, efficiency: 0.75, timeline: timeline(2) },
    { ...base, throughput: 200, wallThroughput: 190, latencyP99: 20, oracleThroughput: 100, efficiency: 2, timeline: timeline(3) },
  ];
  const m = medianRun(runs);
  assert.equal(m.throughput, 200);
  assert.equal(m.latencyP99, 20);
  assert.equal(m.oracleThroughput, 200);
  assert.equal(m.efficiency, 1, 'median msg/s over median oracle, not the median of the efficiencies (0.75)');
  assert.equal(m.concurrency, 8);
  assert.equal(m.messages, 100);
  assert.deepEqual(m.timeline, timeline(3), 'the timeline of the run nearest the median wall msg/s');
});

test('medianRun of an even number of repeats keeps counts whole (the lower median) and leaves out a NaN figure', () => {
  const runs: BenchRun[] = [
    { ...base, failed: 1, steadyAcked: 80, throughput: 100, wallThroughput: 100, latencyP99: 10, lagP99: Number.NaN, timeline: timeline(1) },
    { ...base, failed: 2, steadyAcked: 91, throughput: 200, wallThroughput: 300, latencyP99: 20, lagP99: 4, timeline: timeline(2) },
  ];
  const m = medianRun(runs);
  assert.equal(m.failed, 1, 'not 1.5');
  assert.equal(m.steadyAcked, 80, 'not 85.5');
  assert.equal(m.messages, 100);
  assert.equal(m.throughput, 150, 'a figure: the mean of the middle two');
  assert.equal(m.lagP99, 4, 'the repeat without a lag figure is left out');
});

test('the table prints – for a figure that cannot be worked out and for steady figures whose window holds too few acks', () => {
  const figures = { ...base, throughput: 0, wallThroughput: 5000, workerBusyShare: 0, latencyP99: 1, timeline: timeline(0) };
  // 200 messages at concurrency 128: the window held 3 acks, far under 10 per slot.
  const cells = benchCells(
    [
      { ...figures, concurrency: 128, steadyAcked: 3, lagP50: Number.NaN, lagP99: Number.NaN },
      { ...figures, mode: 'batch', concurrency: 128, steadyAcked: 128, throughput: 9000 },
    ],
    { best: { index: 1, why: '' } },
  );
  const row = (i: number) => Object.fromEntries(cells.header.map((h, j) => [h, cells.rows[i]?.[j]]));
  assert.deepEqual(
    [row(0)['msg/s'], row(0)['worker busy share'], row(0)['async/batch'], row(0)['lag p50 ms'], row(0)['wall msg/s'], row(0).best],
    ['–', '–', '–', '–', '5000', ''],
  );
  assert.deepEqual([row(1)['msg/s'], row(1)['async/batch'], row(1).best], ['–', '', 'best']);
  assert.ok(!benchCells([{ ...figures, steadyAcked: 3 }]).header.includes('best'), 'no best column without a best setting');
});
