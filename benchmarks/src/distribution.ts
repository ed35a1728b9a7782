/** Count, sum and the shape of a set of figures (sizes in bytes, times in ms), as the gzip benchmark prints them. */
export interface Distribution {
  readonly count: number;
  readonly total: number;
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * The nearest-rank percentile: the smallest value with at least `p`% of the values at or
 * below it (`sorted[ceil(p / 100 * n) - 1]`), so it is always one of the values. NaN when
 * empty. `sorted` must be in ascending order.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`Expected \`p\` to be from 0 to 100, got \`${p}\` (${typeof p})`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

/** The {@link Distribution} of `values` (any order). */
export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const total = sorted.reduce((sum, v) => sum + v, 0);
  return {
    count: sorted.length,
    total,
    mean: sorted.length === 0 ? Number.NaN : total / sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/**
 * The median of `values` (any order): the middle value, and for an even
 * count the mean of the two middle ones, so `[1, 2, 3, 4]` gives 2.5. NaN
 * when empty. For figures summarised over repeats, where an even count
 * should not lean on either middle run.
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[half] as number) : ((sorted[half - 1] as number) + (sorted[half] as number)) / 2;
}

/**
 * The upper median of `values` (any order): the middle value, and for an
 * even count the upper of the two middle ones, so `[1, 2, 3, 4]` gives 3.
 * Always one of the values (a run that happened, printed as it was). NaN
 * when empty. Equal to {@link median} for an odd count.
 */
export function upperMedian(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}
