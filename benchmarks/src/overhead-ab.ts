// The arithmetic of the overhead benchmark's A/B (an earlier commit's engine, this checkout's,
// and piscina, in one process): the order of the runs, the medians, the ratios and the table.
// No timing here; overhead-ab-run.ts runs the contenders in this order.
import { markdownTable } from 'markdown-table';
import { upperMedian as median } from './distribution.js';

/** What a contender is to the ratios: `base` and `piscina` are what the other rows divide by. */
export type AbRole = 'base' | 'current' | 'piscina';

/** One timed run of one contender. */
export interface AbRun {
  readonly concurrency: number;
  readonly role: AbRole;
  readonly label: string;
  /** Which of the repeats, from 0. */
  readonly run: number;
  /** Its place in that repeat's order, from 0. */
  readonly position: number;
  readonly messagesPerSecond: number;
}

/** One contender at one concurrency: its runs' figures in run order, their median, and that over the base's and piscina's. */
export interface AbRow {
  readonly concurrency: number;
  readonly role: AbRole;
  readonly label: string;
  readonly rates: readonly number[];
  readonly median: number;
  readonly overBase: number;
  /**
   * The median over the repeats of this run's figure ÷ the base's in the same repeat: a
   * machine that drifts between repeats (another tenant, frequency) moves both runs of a
   * pair, so it moves this ratio less than the ratio of the medians.
   */
  readonly pairedOverBase: number;
  readonly overPiscina: number;
}

/**
 * The contenders' order in each of `runs` repeats: as given, then reversed, then as given, ...
 * (A B C, C B A, A B C), so that no contender always runs first or last, which on this machine
 * moves a figure by several percent.
 */
export function alternatingOrder(contenders: number, runs: number): number[][] {
  const forward = Array.from({ length: contenders }, (_, i) => i);
  return Array.from({ length: runs }, (_, run) => (run % 2 === 0 ? forward : [...forward].reverse()));
}

/** The runs as rows, one per concurrency and contender in the order first seen, with medians and the ratios. */
export function abRows(runs: readonly AbRun[]): AbRow[] {
  const groups = new Map<string, AbRun[]>();
  for (const r of runs) {
    const key = `${r.concurrency}\0${r.label}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const medianOf = (concurrency: number, role: AbRole): number => {
    const group = [...groups.values()].find((g) => g[0]?.concurrency === concurrency && g[0].role === role);
    return group === undefined ? Number.NaN : median(group.map((r) => r.messagesPerSecond));
  };
  const baseIn = (concurrency: number, run: number): number =>
    runs.find((r) => r.concurrency === concurrency && r.role === 'base' && r.run === run)?.messagesPerSecond ?? Number.NaN;
  return [...groups.values()].map((group) => {
    const { concurrency, role, label } = group[0] as AbRun;
    const ordered = [...group].sort((a, b) => a.run - b.run);
    const rates = ordered.map((r) => r.messagesPerSecond);
    const m = median(rates);
    const pairs = ordered.map((r) => r.messagesPerSecond / baseIn(concurrency, r.run)).filter((ratio) => !Number.isNaN(ratio));
    return {
      concurrency,
      role,
      label,
      rates,
      median: m,
      overBase: m / medianOf(concurrency, 'base'),
      pairedOverBase: pairs.length === 0 ? Number.NaN : median(pairs),
      overPiscina: m / medianOf(concurrency, 'piscina'),
    };
  });
}

/** The rows as Markdown: per-run msg/s, the median, the median over the base's, the paired ratio (see `pairedOverBase`) and the median over piscina's. */
export function abTable(rows: readonly AbRow[]): string {
  const runs = Math.max(0, ...rows.map((r) => r.rates.length));
  const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '');
  const ratio = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}x` : '');
  return markdownTable(
    [
      ['in flight', 'run', ...Array.from({ length: runs }, (_, i) => `msg/s, run ${i + 1}`), 'median msg/s', '÷ base', '÷ base, paired', '÷ piscina'],
      ...rows.map((r) => [
        String(r.concurrency),
        r.label,
        ...Array.from({ length: runs }, (_, i) => fmt(r.rates[i] ?? Number.NaN)),
        `**${fmt(r.median)}**`,
        ratio(r.overBase),
        ratio(r.pairedOverBase),
        ratio(r.overPiscina),
      ]),
    ],
    { align: ['r', 'l', ...Array.from({ length: runs }, () => 'r' as const), 'r', 'r', 'r', 'r'] },
  );
}
