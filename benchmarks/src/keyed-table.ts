// The keyed benchmark's arithmetic: the settings' order in each repeat, the medians, the
// ratios to unordered, Confluent Parallel Consumer's published figures beside them, the
// table and the checks. No timing here; keyed-suite.ts runs the settings in this order.
import { markdownTable } from 'markdown-table';
import type { Check } from './check.js';
import { median } from './distribution.js';
import type { KeyedSetting } from './keyed-workload.js';

/** The settings of the curve, as Parallel Consumer's README draws it, with 100 keys added. */
export const keyedSettings: readonly KeyedSetting[] = ['unordered', 1000, 100, 10, 1];

/**
 * Seconds for 10,000 messages of 0–5 ms at concurrency 100, from Confluent Parallel
 * Consumer's README (KEY ordering by key count, and UNORDERED); it gives no figure for
 * 100 keys. Its runs include Kafka's produce and consume round trips; ours have none.
 */
export const parallelConsumerSeconds: ReadonlyMap<KeyedSetting, number> = new Map<KeyedSetting, number>([
  [1, 26.7],
  [10, 3.3],
  [1000, 2.1],
  ['unordered', 2.8],
]);

/** The 1,000-keys run may take at most this much longer than unordered (the bar: within 10%). */
export const keyedBar = { keys: 1000, maxRatio: 1.1 } as const;

/** One run's place in a repeat: its setting, and which of the repeat's A/B pairs it is in (0 outside them). */
export interface KeyedSlot {
  readonly setting: KeyedSetting;
  readonly pair: number;
}

/**
 * Repeat `round`'s runs in order: `pairs` A/B pairs of unordered and {@link keyedBar}'s key
 * count, each pair's order the other way from the last (U K, K U, ...), then every other
 * setting once; the whole reversed on odd rounds, so no setting always runs first and the
 * two of a pair always run next to each other.
 */
export function roundOrder(round: number, pairs: number): KeyedSlot[] {
  const ab: KeyedSetting[] = ['unordered', keyedBar.keys];
  const slots: KeyedSlot[] = Array.from({ length: pairs }, (_, pair) => (pair % 2 === 0 ? ab : [...ab].reverse()).map((setting) => ({ setting, pair }))).flat();
  for (const setting of keyedSettings) if (!ab.includes(setting)) slots.push({ setting, pair: 0 });
  return round % 2 === 0 ? slots : slots.reverse();
}

/** One run as the summary reads it. */
export interface KeyedFigure extends KeyedSlot {
  readonly round: number;
  readonly messages: number;
  readonly seconds: number;
  readonly orderViolations: number;
  readonly overlapViolations: number;
}

/** One setting over its runs. */
export interface KeyedRow {
  readonly setting: KeyedSetting;
  /** Seconds of each run, by round and then pair (so unordered's and the A/B key count's line up pair by pair). */
  readonly seconds: readonly number[];
  readonly minSeconds: number;
  readonly medianSeconds: number;
  readonly maxSeconds: number;
  /** Messages over the median seconds. */
  readonly throughput: number;
  /** The median seconds over unordered's median seconds. */
  readonly overUnordered: number;
  /** Breaches summed over the runs. */
  readonly orderViolations: number;
  readonly overlapViolations: number;
  /** Parallel Consumer's published seconds and that over its unordered figure; NaN where it gives none. */
  readonly pcSeconds: number;
  readonly pcOverUnordered: number;
  /** What the sleeps alone would take (see idealSeconds), NaN when not given. */
  readonly idealSeconds: number;
}

/** The runs as rows, in the order of `settings`; a setting with no runs is left out. */
export function keyedRows(runs: readonly KeyedFigure[], settings: readonly KeyedSetting[], ideals?: ReadonlyMap<KeyedSetting, number>): KeyedRow[] {
  const of = (setting: KeyedSetting) => runs.filter((r) => r.setting === setting).sort((a, b) => a.round - b.round || a.pair - b.pair);
  const unordered = median(of('unordered').map((r) => r.seconds));
  const pcUnordered = parallelConsumerSeconds.get('unordered') ?? Number.NaN;
  return settings
    .filter((s) => of(s).length > 0)
    .map((setting) => {
      const group = of(setting);
      const seconds = group.map((r) => r.seconds);
      const m = median(seconds);
      const pc = parallelConsumerSeconds.get(setting) ?? Number.NaN;
      return {
        setting,
        seconds,
        minSeconds: Math.min(...seconds),
        medianSeconds: m,
        maxSeconds: Math.max(...seconds),
        throughput: median(group.map((r) => r.messages)) / m,
        overUnordered: m / unordered,
        orderViolations: group.reduce((sum, r) => sum + r.orderViolations, 0),
        overlapViolations: group.reduce((sum, r) => sum + r.overlapViolations, 0),
        pcSeconds: pc,
        pcOverUnordered: pc / pcUnordered,
        idealSeconds: ideals?.get(setting) ?? Number.NaN,
      };
    });
}

/** `1,000 keys` or `unordered`, as the table names a setting. */
export function settingLabel(setting: KeyedSetting): string {
  return setting === 'unordered' ? 'unordered' : `${setting.toLocaleString('en')} key${setting === 1 ? '' : 's'}`;
}

/** The rows as Markdown: runs, min, median and max s, msg/s, × unordered, Parallel Consumer's beside, the ideal and the breaches. */
export function keyedTable(rows: readonly KeyedRow[]): string {
  const s = (n: number, digits = 3) => (Number.isFinite(n) ? n.toFixed(digits) : '');
  const ratio = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}x` : '');
  return markdownTable(
    [
      ['ordering', 'runs', 'min s', 'median s', 'max s', 'msg/s', '÷ unordered', 'PC s', 'PC ÷ unordered', 'ideal s', 'order / overlap breaches'],
      ...rows.map((r) => [
        settingLabel(r.setting),
        String(r.seconds.length),
        s(r.minSeconds),
        `**${s(r.medianSeconds)}**`,
        s(r.maxSeconds),
        Number.isFinite(r.throughput) ? Math.round(r.throughput).toLocaleString('en') : '',
        ratio(r.overUnordered),
        s(r.pcSeconds, 1),
        ratio(r.pcOverUnordered),
        s(r.idealSeconds),
        r.setting === 'unordered' ? `(${r.orderViolations} / ${r.overlapViolations}, not held to order)` : `${r.orderViolations} / ${r.overlapViolations}`,
      ]),
    ],
    { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] },
  );
}

/**
 * The speed bar: {@link keyedBar}'s key count's median within its ratio of
 * unordered's, with the pairs' own ratios (each pair ran back to back) in the detail.
 * Undefined when either is missing.
 */
export function keyedSpeedCheck(rows: readonly KeyedRow[]): Check | undefined {
  const bar = rows.find((r) => r.setting === keyedBar.keys);
  const unordered = rows.find((r) => r.setting === 'unordered');
  if (bar === undefined || unordered === undefined) return undefined;
  const paired = bar.seconds.map((s, i) => s / (unordered.seconds[i] ?? Number.NaN)).filter(Number.isFinite);
  const above = paired.filter((p) => p > keyedBar.maxRatio).length;
  return {
    name: `${settingLabel(keyedBar.keys)} within ${Math.round((keyedBar.maxRatio - 1) * 100)}% of unordered (median s ÷ median s)`,
    pass: bar.overUnordered <= keyedBar.maxRatio,
    detail:
      `${bar.overUnordered.toFixed(3)}x (${bar.medianSeconds.toFixed(3)} s ÷ ${unordered.medianSeconds.toFixed(3)} s); ` +
      `pair by pair: median ${median(paired).toFixed(3)}x, ${Math.min(...paired).toFixed(3)}x to ${Math.max(...paired).toFixed(3)}x, ` +
      `${above} of ${paired.length} above ${keyedBar.maxRatio.toFixed(2)}x`,
  };
}

/** No breach of per-key order in any keyed run: one check per key count. */
export function keyedOrderChecks(rows: readonly KeyedRow[]): Check[] {
  return rows
    .filter((row) => row.setting !== 'unordered')
    .map((r) => ({
      name: `${settingLabel(r.setting)}: per-key order held (outputs in offset order, one in flight per key)`,
      pass: r.orderViolations === 0 && r.overlapViolations === 0,
      detail: `${r.orderViolations} order, ${r.overlapViolations} overlap breaches over ${r.seconds.length} run${r.seconds.length === 1 ? '' : 's'}`,
    }));
}
