import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alternatingOrder } from '../src/overhead-ab.js';
import { remoteBars, remoteChecks, remoteMessageCounts, remoteRows, remoteTable, runFigures } from '../src/overhead-remote.js';
import type { RemoteRole, RemoteRun, RemoteWorkloadName } from '../src/overhead-remote.js';

test('a run takes its wall time from the first yield to the last record, and p99 of record minus yield by nearest rank', () => {
  // 100 messages yielded 1 ms apart from t = 1000; message i's record comes i + 1 ms after it
  // (i = 99: 100 ms), so the latencies are 1..100 ms and the last record is at 1000 + 99 + 100.
  const sent = Float64Array.from({ length: 100 }, (_, i) => 1000 + i);
  const received = Float64Array.from({ length: 100 }, (_, i) => 1000 + i + (i + 1));
  const figures = runFigures(sent, received);
  assert.equal(figures.seconds, 0.199);
  assert.equal(figures.messagesPerSecond, 100 / 0.199);
  assert.equal(figures.p99Ms, 99);
});

test('the wall time is from the earliest yield to the latest record, whatever their offsets', () => {
  // Offsets need not be stamped in order: message 2 yields first, message 0 comes back last.
  const figures = runFigures(Float64Array.from([20, 15, 10]), Float64Array.from([60, 30, 40]));
  assert.equal(figures.seconds, 0.05);
  assert.equal(figures.p99Ms, 40);
});

test('a run with no stamps, or sent and received of different lengths, is refused', () => {
  assert.throws(() => runFigures(new Float64Array(0), new Float64Array(0)), RangeError);
  assert.throws(() => runFigures(new Float64Array(2), new Float64Array(3)), RangeError);
});

/** Runs as runRemote records them: `[role, label, rates, p99s]` per contender, the order alternating over 5 repeats. */
function runsOf(workload: RemoteWorkloadName, contenders: [RemoteRole, string, number[], number[]][]): RemoteRun[] {
  return alternatingOrder(contenders.length, 5).flatMap((indices, run) =>
    indices.map((index, position) => {
      const [role, label, rates, p99s] = contenders[index] as [RemoteRole, string, number[], number[]];
      const messagesPerSecond = rates[run] as number;
      const p99Ms = p99s[run] as number;
      return { workload, role, label, run, position, messages: 1000, seconds: 1000 / messagesPerSecond, messagesPerSecond, p99Ms, maxAhead: 10 * p99Ms };
    }),
  );
}

const trivial = runsOf('trivial', [
  ['in-process', 'in-process', [500, 400, 450, 300, 480], [10, 12, 11, 30, 9]],
  ['worker', 'worker', [360, 380, 400, 200, 390], [20, 22, 24, 60, 21]],
  ['websocket', 'ws', [100, 90, 110, 95, 105], [100, 110, 90, 95, 105]],
]);
const skewed = runsOf('skewed', [
  ['in-process', 'in-process', [20_000, 19_000, 21_000, 18_000, 20_500], [15, 16, 14, 17, 15.5]],
  ['worker', 'worker', [18_000, 19_500, 19_000, 17_000, 19_200], [16, 17, 15, 18, 16.5]],
  ['websocket', 'ws', [15_000, 16_000, 14_000, 15_500, 15_200], [30, 31, 29, 32, 30]],
]);

test('rows keep each run in run order, take the medians, and divide them by the in-process engine on the same workload', () => {
  const rows = remoteRows([...trivial, ...skewed]);
  assert.deepEqual(
    rows.map((r) => [r.workload, r.label, r.rates, r.median, r.overInProcess, r.medianP99Ms, r.p99OverInProcess]),
    [
      ['trivial', 'in-process', [500, 400, 450, 300, 480], 450, 1, 11, 1],
      ['trivial', 'worker', [360, 380, 400, 200, 390], 380, 380 / 450, 22, 2],
      ['trivial', 'ws', [100, 90, 110, 95, 105], 100, 100 / 450, 100, 100 / 11],
      ['skewed', 'in-process', [20_000, 19_000, 21_000, 18_000, 20_500], 20_000, 1, 15.5, 1],
      ['skewed', 'worker', [18_000, 19_500, 19_000, 17_000, 19_200], 19_000, 0.95, 16.5, 16.5 / 15.5],
      ['skewed', 'ws', [15_000, 16_000, 14_000, 15_500, 15_200], 15_200, 0.76, 30, 30 / 15.5],
    ],
  );
  assert.deepEqual(rows[1]?.p99s, [20, 22, 24, 60, 21]);
  assert.deepEqual(
    rows.map((r) => r.medianMaxAhead),
    [110, 220, 1000, 155, 165, 300],
  );
});

test('one check per workload, for spawnEngine only: 0.80 of in-process on trivial, 0.95 on skewed, at the bar passes', () => {
  assert.deepEqual(remoteBars, { trivial: 0.8, skewed: 0.95 });
  assert.deepEqual(remoteChecks(remoteRows([...trivial, ...skewed])), [
    { name: 'trivial: worker / in-process msg/s >= 0.80', pass: true, detail: '380 / 450 msg/s = 0.844' },
    { name: 'skewed: worker / in-process msg/s >= 0.95', pass: true, detail: '19,000 / 20,000 msg/s = 0.950' },
  ]);
});

test('below its bar a check fails; with no in-process row to divide by it fails too', () => {
  const slow = runsOf('skewed', [
    ['in-process', 'in-process', [100, 100, 100, 100, 100], [1, 1, 1, 1, 1]],
    ['worker', 'worker', [94, 94, 94, 94, 94], [1, 1, 1, 1, 1]],
  ]);
  assert.deepEqual(remoteChecks(remoteRows(slow)), [{ name: 'skewed: worker / in-process msg/s >= 0.95', pass: false, detail: '94 / 100 msg/s = 0.940' }]);
  const alone = runsOf('trivial', [['worker', 'worker', [94, 94, 94, 94, 94], [1, 1, 1, 1, 1]]]);
  assert.deepEqual(remoteChecks(remoteRows(alone)), [
    { name: 'trivial: worker / in-process msg/s >= 0.80', pass: false, detail: '94 msg/s, no in-process run to divide by' },
  ]);
});

test('the table prints each run, the median in bold, the ratio, the median p99 and its ratio, the median most ahead', () => {
  const lines = remoteTable(remoteRows(trivial)).split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[0] ?? '', /workload \| engine +\| msg\/s, run 1 \|.*\| msg\/s, run 5 \| median msg\/s \| ÷ in-process \| p99 ms \(median\) \| p99 ÷ in-process \| most ahead \(median\) \|$/);
  assert.match(lines[3] ?? '', /^\| trivial +\| worker +\| +360 \| +380 \| +400 \| +200 \| +390 \| +\*\*380\*\* \| +0\.84x \| +22\.00 \| +2\.00x \| +220 \|$/);
});

test('the message counts: a fifth of --messages trivial, a fiftieth skewed, at least 1,000 each', () => {
  assert.deepEqual(remoteMessageCounts(1_000_000), { trivial: 200_000, skewed: 20_000 });
  assert.deepEqual(remoteMessageCounts(100_000), { trivial: 20_000, skewed: 2000 });
  assert.deepEqual(remoteMessageCounts(1000), { trivial: 1000, skewed: 1000 });
});

test('the 5 repeats of 3 contenders alternate: the in-process engine first 3 times, the WebSocket one 2, spawnEngine always between', () => {
  const order = alternatingOrder(3, 5);
  assert.deepEqual(order, [
    [0, 1, 2],
    [2, 1, 0],
    [0, 1, 2],
    [2, 1, 0],
    [0, 1, 2],
  ]);
});
