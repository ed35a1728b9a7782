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

/**
 * The band the README states for a settled target: within ±25% of its
 * median, or ±2 for small targets (whichever is wider). Settle times are
 * measured against it and against the wider ±50% (with the same ±2 floor).
 */
export const settleBands = [0.25, 0.5] as const;
/** The band's floor: ±2, for targets too small for a share of them to be a whole step. */
export const bandFloor = 2;

/** Half the width of the band `share` around `level`: `share × level`, at least {@link bandFloor}. */
export function bandHalfWidth(level: number, share: number): number {
  return Math.max(share * level, bandFloor);
}

/**
 * Where the target sat in a window's second half, probes left out: its
 * time-weighted median, p10 and p90, the lowest and highest value it held,
 * and the share of the time it spent within the stated band around the
 * median (`settleBands[0]`, see {@link bandHalfWidth}); `probing` is the
 * share of the half spent in probes. NaN where the half is all probe.
 */
export interface SettledLevel {
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
  /** ± this around the median is the band: `bandHalfWidth(median, settleBands[0])`. */
  readonly halfWidth: number;
  /** 0 to 1: the time within the band over the time outside probes. */
  readonly inBand: number;
  /** 0 to 1: the time in probes over the whole half. */
  readonly probing: number;
}

/**
 * The target's level in `[from, to)`, over the window's second half: the
 * median is the level a settle time is measured against; the band around
 * it and the share of time within it are the oscillation the README
 * states, measured.
 */
export function settledLevel(series: readonly TargetPoint[], from: number, to: number): SettledLevel {
  const whole = segments(series, from + (to - from) / 2, to);
  const half = whole.filter((s) => !s.probing);
  const median = weightedQuantile(half, 0.5);
  const halfWidth = bandHalfWidth(median, settleBands[0]);
  const time = (parts: readonly Segment[]) => parts.reduce((sum, s) => sum + (s.to - s.from), 0);
  const held = time(half);
  const values = half.map((s) => s.value);
  return {
    median,
    p10: weightedQuantile(half, 0.1),
    p90: weightedQuantile(half, 0.9),
    min: values.length === 0 ? Number.NaN : Math.min(...values),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
    halfWidth,
    inBand: held === 0 ? Number.NaN : time(half.filter((s) => Math.abs(s.value - median) <= halfWidth)) / held,
    probing: time(whole) === 0 ? Number.NaN : (time(whole) - held) / time(whole),
  };
}

/**
 * ms from `from` until the target stays within `level ± bandHalfWidth(level,
 * share)` to `to` (probes left out): the end of the last stretch outside
 * the band, or 0 when there is none; undefined when no time within the
 * band follows that stretch (or `level` is NaN).
 */
export function settleTime(series: readonly TargetPoint[], from: number, to: number, level: number, share: number): number | undefined {
  if (Number.isNaN(level)) return undefined;
  const parts = segments(series, from, to).filter((s) => !s.probing);
  const halfWidth = bandHalfWidth(level, share);
  let settledAt = from;
  for (let i = parts.length - 1; i >= 0; i--) {
    const s = parts[i] as Segment;
    if (Math.abs(s.value - level) > halfWidth) {
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
