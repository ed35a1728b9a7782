import assert from 'node:assert/strict';
import { test } from 'node:test';
import { abRows, abTable, alternatingOrder } from '../src/overhead-ab.js';
import type { AbRole, AbRun } from '../src/overhead-ab.js';

test('the order alternates: as given, reversed, as given', () => {
  assert.deepEqual(alternatingOrder(3, 3), [
    [0, 1, 2],
    [2, 1, 0],
    [0, 1, 2],
  ]);
  assert.deepEqual(alternatingOrder(2, 4), [
    [0, 1],
    [1, 0],
    [0, 1],
    [1, 0],
  ]);
  assert.deepEqual(alternatingOrder(3, 0), []);
});

test('every contender is first and last equally often over an even count of runs', () => {
  const order = alternatingOrder(4, 6);
  for (let contender = 0; contender < 4; contender++) {
    const places = order.map((run) => run.indexOf(contender));
    assert.equal(places.filter((p) => p === 0).length, contender === 0 || contender === 3 ? 3 : 0);
    assert.equal(places.filter((p) => p === 3).length, contender === 0 || contender === 3 ? 3 : 0);
  }
});

/** Runs as runAb records them: `rates[label]` per run, the order alternating. */
function runsOf(concurrency: number, contenders: [AbRole, string, number[]][]): AbRun[] {
  return alternatingOrder(contenders.length, 3).flatMap((indices, run) =>
    indices.map((index, position) => {
      const [role, label, rates] = contenders[index] as [AbRole, string, number[]];
      return { concurrency, role, label, run, position, messagesPerSecond: rates[run] as number };
    }),
  );
}

test('rows keep each run in run order, take the median, and divide it by the base and piscina medians', () => {
  const runs = [
    ...runsOf(256, [
      ['base', 'base', [400, 500, 450]],
      ['current', 'current', [600, 480, 540]],
      ['piscina', 'piscina', [60, 50, 54]],
    ]),
    ...runsOf(64, [
      ['base', 'base', [300, 300, 330]],
      ['current', 'current', [270, 300, 240]],
      ['piscina', 'piscina', [30, 40, 50]],
    ]),
  ];
  const rows = abRows(runs);
  assert.deepEqual(
    rows.map((r) => [r.concurrency, r.label, r.rates, r.median, r.overBase, r.overPiscina]),
    [
      [256, 'base', [400, 500, 450], 450, 1, 450 / 54],
      [256, 'current', [600, 480, 540], 540, 540 / 450, 10],
      [256, 'piscina', [60, 50, 54], 54, 54 / 450, 1],
      [64, 'base', [300, 300, 330], 300, 1, 300 / 40],
      [64, 'current', [270, 300, 240], 270, 0.9, 270 / 40],
      [64, 'piscina', [30, 40, 50], 40, 40 / 300, 1],
    ],
  );
});

test('a row with no base or piscina at its concurrency gets NaN ratios and blank table cells', () => {
  const rows = abRows(runsOf(256, [['current', 'current', [1000, 2000, 1500]]]));
  assert.equal(rows[0]?.median, 1500);
  assert.ok(Number.isNaN(rows[0]?.overBase));
  assert.match(abTable(rows), /256 \| current \| +1,000 \| +2,000 \| +1,500 \| +\*\*1,500\*\* \| +\| +\| +\|$/m);
});

test('the table prints each run, the median in bold and the ratios', () => {
  const rows = abRows(
    runsOf(256, [
      ['base', 'base', [400, 500, 450]],
      ['current', 'current', [600, 480, 540]],
      ['piscina', 'piscina', [60, 50, 54]],
    ]),
  );
  const lines = abTable(rows).split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[0] ?? '', /in flight \| run +\| msg\/s, run 1 \| msg\/s, run 2 \| msg\/s, run 3 \| median msg\/s \| ÷ base \| ÷ base, paired \| ÷ piscina/);
  // Paired: 600/400, 480/500, 540/450 = 1.5, 0.96, 1.2: median 1.2.
  assert.match(lines[3] ?? '', /current +\| +600 \| +480 \| +540 \| +\*\*540\*\* \| +1\.20x \| +1\.20x \| +10\.00x \|$/);
});

test('the paired ratio is the median of each repeat against the base of the same repeat', () => {
  // The machine slows down over the repeats: every contender's figure falls, the pairs do not.
  const rows = abRows(
    runsOf(256, [
      ['base', 'base', [1000, 500, 250]],
      ['current', 'current', [1100, 560, 260]],
      ['piscina', 'piscina', [100, 50, 25]],
    ]),
  );
  const current = rows.find((r) => r.label === 'current');
  // 1.1, 1.12, 1.04: median 1.1; the ratio of the medians is 560 / 500 = 1.12.
  assert.equal(current?.pairedOverBase, 1.1);
  assert.equal(current?.overBase, 560 / 500);
  assert.equal(rows.find((r) => r.label === 'base')?.pairedOverBase, 1);
  // No base at this concurrency: no pairs.
  assert.ok(Number.isNaN(abRows(runsOf(64, [['current', 'current', [1, 2, 3]]]))[0]?.pairedOverBase));
});
