import type { ConcurrencyChange } from '@tidemark/engine';

/**
 * The in-flight target as a step function of time: each point's target
 * holds until the next point. `probing` marks the stretches the adaptive
 * controller spends at `min` to measure the no-load latency (from a
 * `'probe'` change to the next `'probed'` one): a deliberate excursion,
 * left out of every settle and band figure below.
 */
export interface TargetPoint {
  /** ms (any origin, the same for every point). */
  readonly at: number;
  readonly target: number;
  readonly probing: boolean;
}

/** One stretch of the step function within a window. */
export interface Segment {
  readonly from: number;
  readonly to: number;
  readonly value: number;
  readonly probing: boolean;
}

/** The target series from where it stood at `at` and the `concurrency` events that followed, in order. */
export function targetSeries(at: number, target: number, changes: readonly ConcurrencyChange[]): TargetPoint[] {
  const points: TargetPoint[] = [{ at, target, probing: false }];
  let probing = false;
  for (const change of changes) {
    if (change.reason === 'probe') probing = true;
    else probing = false;
    points.push({ at: change.at, target: change.to, probing });
  }
  return points;
}

/** The step function clipped to `[from, to)`, one segment per stretch of positive length (probing ones included). */
export function segments(series: readonly TargetPoint[], from: number, to: number): Segment[] {
  const out: Segment[] = [];
  for (let i = 0; i < series.length; i++) {
    const point = series[i] as TargetPoint;
    const start = Math.max(point.at, from);
    const end = Math.min(series[i + 1]?.at ?? Number.POSITIVE_INFINITY, to);
    if (end > start) out.push({ from: start, to: end, value: point.target, probing: point.probing });
  }
  return out;
}

/**
 * The time-weighted quantile `q` (0 to 1) of `segments`: the smallest value
 * held, with the time of the values at or below it, for at least `q` of the
 * total time (the nearest-rank rule, weighted by time), so it is always a
 * value the target held. NaN when the segments span no time.
 */
export function weightedQuantile(parts: readonly Segment[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`Expected \`q\` to be from 0 to 1, got \`${q}\` (${typeof q})`);
  const sorted = parts.filter((s) => s.to > s.from).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((sum, s) => sum + (s.to - s.from), 0);
  if (total === 0) return Number.NaN;
  let below = 0;
  for (const s of sorted) {
    below += s.to - s.from;
    if (below >= q * total) return s.value;
  }
  return (sorted.at(-1) as Segment).value;
}

/** How far the target may stray from its settled level and still count as settled: ±25%, and the wider ±50%. */
export const settleBands = [0.25, 0.5] as const;

/** Where the target sat in a window's second half: its time-weighted median, p10 and p90 (probes left out); NaN when that half is all probe. */
export interface SettledLevel {
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
}

/**
 * The target's level in `[from, to)`: the time-weighted median, p10 and
 * p90 over the window's second half, probes left out. The median is the
 * level a settle time is measured against; p10 and p90 over it are the
 * oscillation band once settled.
 */
export function settledLevel(series: readonly TargetPoint[], from: number, to: number): SettledLevel {
  const half = segments(series, from + (to - from) / 2, to).filter((s) => !s.probing);
  return { median: weightedQuantile(half, 0.5), p10: weightedQuantile(half, 0.1), p90: weightedQuantile(half, 0.9) };
}

/**
 * ms from `from` until the target stays within `level × (1 ± band)` to `to`
 * (probes left out): the end of the last stretch outside the band, or 0
 * when there is none; undefined when no time within the band follows that
 * stretch (or `level` is NaN).
 */
export function settleTime(series: readonly TargetPoint[], from: number, to: number, level: number, band: number): number | undefined {
  if (Number.isNaN(level)) return undefined;
  const parts = segments(series, from, to).filter((s) => !s.probing);
  const low = level * (1 - band);
  const high = level * (1 + band);
  let settledAt = from;
  for (let i = parts.length - 1; i >= 0; i--) {
    const s = parts[i] as Segment;
    if (s.value < low || s.value > high) {
      settledAt = s.to;
      break;
    }
  }
  return parts.some((s) => s.to > settledAt) ? settledAt - from : undefined;
}

/** The time-weighted median of the target over `[from, to)`, probes left out. */
export function medianTarget(series: readonly TargetPoint[], from: number, to: number): number {
  return weightedQuantile(
    segments(series, from, to).filter((s) => !s.probing),
    0.5,
  );
}

/** When the target first reached `value` or above; undefined if it never did. */
export function firstReach(series: readonly TargetPoint[], value: number): number | undefined {
  return series.find((point) => point.target >= value)?.at;
}
