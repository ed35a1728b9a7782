import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyedOrderChecks, keyedRows, keyedSettings, keyedSpeedCheck, keyedTable, roundOrder, settingLabel } from '../src/keyed-table.js';
import type { KeyedFigure } from '../src/keyed-table.js';
import type { KeyedSetting } from '../src/keyed-workload.js';

const names = (round: number, pairs: number) => roundOrder(round, pairs).map((s) => `${s.setting}:${s.pair}`);

test('a repeat runs the A/B pairs back to back, each the other way round, then the other key counts; odd repeats reversed', () => {
  assert.deepEqual(names(0, 2), ['unordered:0', '1000:0', '1000:1', 'unordered:1', '100:0', '10:0', '1:0']);
  assert.deepEqual(names(1, 2), ['1:0', '10:0', '100:0', 'unordered:1', '1000:1', '1000:0', 'unordered:0']);
  assert.deepEqual(names(2, 2), names(0, 2));
  assert.deepEqual(names(0, 1), ['unordered:0', '1000:0', '100:0', '10:0', '1:0']);
  assert.deepEqual(names(0, 0), ['100:0', '10:0', '1:0']);
});

test('with four pairs, every pair is unordered and 1,000 keys side by side', () => {
  const order = roundOrder(1, 4);
  for (let pair = 0; pair < 4; pair++) {
    const at = order.flatMap((s, i) => (s.pair === pair && (s.setting === 'unordered' || s.setting === 1000) ? [i] : []));
    assert.equal(at.length, 2);
    assert.equal(Math.abs((at[0] as number) - (at[1] as number)), 1);
  }
});

/** Runs of 1,000 messages: `seconds[setting]` listed by round and pair (`pairs` per round), breaches on the first. */
function figures(seconds: [KeyedSetting, number[]][], pairs = 1, breaches: Partial<Record<string, [number, number]>> = {}): KeyedFigure[] {
  return seconds.flatMap(([setting, list]) => {
    const perRound = setting === 'unordered' || setting === 1000 ? pairs : 1;
    return list.map((s, i) => {
      const [order, overlap] = i === 0 ? (breaches[String(setting)] ?? [0, 0]) : [0, 0];
      return { setting, round: Math.floor(i / perRound), pair: i % perRound, messages: 1000, seconds: s, orderViolations: order, overlapViolations: overlap };
    });
  });
}

// Shuffled so that the rows must sort them by round and pair.
const runs = figures(
  [
    [1, [30, 32, 31]],
    ['unordered', [0.4, 0.5, 0.45]],
    [1000, [0.48, 0.44, 0.46]],
    [10, [3.5, 3.4, 3.6]],
  ],
  1,
  { unordered: [4, 2], 10: [1, 0] },
).reverse();

test('rows follow the settings, keep seconds by round, and take min, median, max and ratios to unordered', () => {
  const rows = keyedRows(runs, keyedSettings, new Map<KeyedSetting, number>([[1, 25]]));
  assert.deepEqual(
    rows.map((r) => [r.setting, r.seconds, r.minSeconds, r.medianSeconds, r.maxSeconds, r.throughput, r.overUnordered, r.orderViolations, r.overlapViolations]),
    [
      ['unordered', [0.4, 0.5, 0.45], 0.4, 0.45, 0.5, 1000 / 0.45, 1, 4, 2],
      [1000, [0.48, 0.44, 0.46], 0.44, 0.46, 0.48, 1000 / 0.46, 0.46 / 0.45, 0, 0],
      [10, [3.5, 3.4, 3.6], 3.4, 3.5, 3.6, 1000 / 3.5, 3.5 / 0.45, 1, 0],
      [1, [30, 32, 31], 30, 31, 32, 1000 / 31, 31 / 0.45, 0, 0],
    ],
  );
  // Parallel Consumer's README figures beside: none for 100 keys (and that row has no runs here).
  assert.deepEqual(
    rows.map((r) => [r.pcSeconds, r.pcOverUnordered]),
    [
      [2.8, 1],
      [2.1, 2.1 / 2.8],
      [3.3, 3.3 / 2.8],
      [26.7, 26.7 / 2.8],
    ],
  );
  assert.equal(rows[3]?.idealSeconds, 25);
  assert.ok(Number.isNaN(rows[0]?.idealSeconds));
});

test('seconds line up pair by pair: by round, then by pair within it', () => {
  const paired = figures(
    [
      ['unordered', [1, 2, 3, 4]],
      [1000, [5, 6, 7, 8]],
    ],
    2,
  ).reverse();
  const rows = keyedRows(paired, keyedSettings);
  assert.deepEqual(
    rows.map((r) => r.seconds),
    [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ],
  );
  assert.equal(rows[0]?.medianSeconds, 2.5);
});

test('the table shows runs, min, median in bold, max, msg/s, the ratios and the breaches', () => {
  const table = keyedTable(keyedRows(runs, keyedSettings, new Map<KeyedSetting, number>([[1, 25]])));
  const lines = table.split('\n');
  assert.equal(lines.length, 6);
  const cells = (line: string) => line.split('|').slice(1, -1).map((c) => c.trim());
  assert.deepEqual(cells(lines[0] as string), [
    'ordering',
    'runs',
    'min s',
    'median s',
    'max s',
    'msg/s',
    '÷ unordered',
    'PC s',
    'PC ÷ unordered',
    'ideal s',
    'order / overlap breaches',
  ]);
  assert.deepEqual(cells(lines[2] as string), ['unordered', '3', '0.400', '**0.450**', '0.500', '2,222', '1.00x', '2.8', '1.00x', '', '(4 / 2, not held to order)']);
  assert.deepEqual(cells(lines[3] as string), ['1,000 keys', '3', '0.440', '**0.460**', '0.480', '2,174', '1.02x', '2.1', '0.75x', '', '0 / 0']);
  assert.deepEqual(cells(lines[5] as string), ['1 key', '3', '30.000', '**31.000**', '32.000', '32', '68.89x', '26.7', '9.54x', '25.000', '0 / 0']);
});

test('the speed bar passes within 10% of unordered and fails past it, with the pairs\' own ratios', () => {
  assert.deepEqual(keyedSpeedCheck(keyedRows(runs, keyedSettings)), {
    name: '1,000 keys within 10% of unordered (median s ÷ median s)',
    pass: true,
    detail: '1.022x (0.460 s ÷ 0.450 s); pair by pair: median 1.022x, 0.880x to 1.200x, 1 of 3 above 1.10x',
  });
  const slow = figures([
    ['unordered', [1, 1, 1]],
    [1000, [1.05, 1.2, 1.15]],
  ]);
  assert.equal(keyedSpeedCheck(keyedRows(slow, keyedSettings))?.pass, false);
  const edge = figures([
    ['unordered', [2, 2, 2]],
    [1000, [2.2, 2.2, 2.2]],
  ]);
  assert.equal(keyedSpeedCheck(keyedRows(edge, keyedSettings))?.pass, true);
  assert.equal(keyedSpeedCheck(keyedRows(figures([[1000, [1]]]), keyedSettings)), undefined);
});

test('order checks: one per key count, failing on any breach; unordered is not held to order', () => {
  const checks = keyedOrderChecks(keyedRows(runs, keyedSettings));
  assert.deepEqual(
    checks.map((c) => [c.name.split(':')[0], c.pass, c.detail]),
    [
      ['1,000 keys', true, '0 order, 0 overlap breaches over 3 runs'],
      ['10 keys', false, '1 order, 0 overlap breaches over 3 runs'],
      ['1 key', true, '0 order, 0 overlap breaches over 3 runs'],
    ],
  );
});

test('settings are named as the table names them', () => {
  assert.deepEqual(['unordered', 1, 10, 1000].map((s) => settingLabel(s as KeyedSetting)), ['unordered', '1 key', '10 keys', '1,000 keys']);
});
