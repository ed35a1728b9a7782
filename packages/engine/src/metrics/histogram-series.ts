import type { Sample } from './collected-metric.js';

/**
 * Upper bounds (seconds) from 50 µs to 30 s: a trivial transform's
 * sub-millisecond stages and multi-second inference both land in the middle
 * of the range, not in its first or last bucket.
 */
export const buckets = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
] as const;

/**
 * A fixed number of histogram series over {@link buckets}, kept in typed
 * arrays: an observation is a short scan over the bounds and two additions,
 * with no label lookup and no allocation. Counts become cumulative
 * Prometheus buckets only at scrape.
 */
export class HistogramSeries {
  readonly #counts: Float64Array;
  readonly #sums: Float64Array;

  constructor(series: number) {
    this.#counts = new Float64Array(series * (buckets.length + 1));
    this.#sums = new Float64Array(series);
  }

  /** Record `seconds` in series `series`. */
  observe(series: number, seconds: number): void {
    let bucket = 0;
    while (bucket < buckets.length && seconds > (buckets[bucket] as number)) bucket++;
    this.#counts[series * (buckets.length + 1) + bucket]! += 1;
    this.#sums[series]! += seconds;
  }

  /** Whether series `series` has an observation. */
  seen(series: number): boolean {
    const from = series * (buckets.length + 1);
    return this.#counts.subarray(from, from + buckets.length + 1).some((count) => count > 0);
  }

  /** Append series `series`' samples of `name`, labelled `labels`, in Prometheus' histogram form. */
  samples(name: string, series: number, labels: Readonly<Record<string, string>>, into: Sample[]): void {
    let cumulative = 0;
    for (let b = 0; b <= buckets.length; b++) {
      cumulative += this.#counts[series * (buckets.length + 1) + b] ?? 0;
      const le = b === buckets.length ? '+Inf' : String(buckets[b]);
      into.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
    }
    into.push({ metricName: `${name}_sum`, labels, value: this.#sums[series] ?? 0 });
    into.push({ metricName: `${name}_count`, labels, value: cumulative });
  }
}
