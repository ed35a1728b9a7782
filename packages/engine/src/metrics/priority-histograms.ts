import type { Sample } from './collected-metric.js';
import { buckets } from './stage-histograms.js';

/** Priority label values kept apart; the rest share `priority="other"`. */
export const maxPriorityLabels = 16;

/** The label of priorities past the first {@link maxPriorityLabels}. */
export const otherPriority = 'other';

/**
 * Read-to-ack latency histograms by priority, in typed arrays as the stage
 * histograms are. The label is the priority rounded down to an integer, so
 * that fractional priorities (or aging-like scores a user computes) do not
 * make a series each; the first {@link maxPriorityLabels} distinct labels
 * seen get a series of their own and any later one counts under
 * `priority="other"`, so a scrape never holds more than 17 series.
 */
export class PriorityHistograms {
  /** Label value → series index, in the order first seen. */
  readonly #series = new Map<number, number>();
  readonly #counts = new Float64Array((maxPriorityLabels + 1) * (buckets.length + 1));
  readonly #sums = new Float64Array(maxPriorityLabels + 1);

  /** Record `seconds` for a message of priority `priority` (finite). */
  observe(priority: number, seconds: number): void {
    const label = Math.floor(priority);
    let series = this.#series.get(label);
    if (series === undefined) {
      series = this.#series.size < maxPriorityLabels ? this.#series.size : maxPriorityLabels;
      if (series < maxPriorityLabels) this.#series.set(label, series);
    }
    let bucket = 0;
    while (bucket < buckets.length && seconds > (buckets[bucket] as number)) bucket++;
    this.#counts[series * (buckets.length + 1) + bucket]! += 1;
    this.#sums[series]! += seconds;
  }

  /** The samples of `name` in Prometheus' histogram form: one series per label seen. */
  samples(name: string): Sample[] {
    const labels: [string, number][] = [...this.#series].map(([label, series]) => [String(label), series]);
    if (this.#seen(maxPriorityLabels)) labels.push([otherPriority, maxPriorityLabels]);
    const samples: Sample[] = [];
    for (const [priority, series] of labels) {
      const base = { priority };
      let cumulative = 0;
      for (let b = 0; b <= buckets.length; b++) {
        cumulative += this.#counts[series * (buckets.length + 1) + b] ?? 0;
        const le = b === buckets.length ? '+Inf' : String(buckets[b]);
        samples.push({ metricName: `${name}_bucket`, labels: { ...base, le }, value: cumulative });
      }
      samples.push({ metricName: `${name}_sum`, labels: base, value: this.#sums[series] ?? 0 });
      samples.push({ metricName: `${name}_count`, labels: base, value: cumulative });
    }
    return samples;
  }

  /** Whether series `series` has an observation. */
  #seen(series: number): boolean {
    const from = series * (buckets.length + 1);
    return this.#counts.subarray(from, from + buckets.length + 1).some((count) => count > 0);
  }
}
