import type { Sample } from './collected-metric.js';

/** The stages of a message whose durations are recorded, in DESIGN.md's order. */
export const stages = ['queue_wait', 'transport', 'processing', 'output_wait', 'end_to_end'] as const;
export const outcomes = ['ok', 'failed'] as const;

/**
 * Upper bounds (seconds) from 50 µs to 30 s: a trivial transform's
 * sub-millisecond stages and multi-second inference both land in the middle
 * of the range, not in its first or last bucket.
 */
export const buckets = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
] as const;

/**
 * Per-stage duration histograms kept in typed arrays: an observation is a
 * short scan over the bounds and two additions, with no label lookup and no
 * allocation. Counts become cumulative Prometheus buckets only at scrape.
 */
export class StageHistograms {
  readonly #counts = new Float64Array(stages.length * outcomes.length * (buckets.length + 1));
  readonly #sums = new Float64Array(stages.length * outcomes.length);

  /** Record `seconds` for `stage` (an index into {@link stages}) and `outcome`. */
  observe(stage: number, outcome: number, seconds: number): void {
    const series = stage * outcomes.length + outcome;
    let bucket = 0;
    while (bucket < buckets.length && seconds > (buckets[bucket] as number)) bucket++;
    this.#counts[series * (buckets.length + 1) + bucket]! += 1;
    this.#sums[series]! += seconds;
  }

  /** The samples of `name` in Prometheus' histogram form. */
  samples(name: string): Sample[] {
    const samples: Sample[] = [];
    for (let s = 0; s < stages.length; s++) {
      for (let o = 0; o < outcomes.length; o++) {
        const series = s * outcomes.length + o;
        const labels = { stage: stages[s] as string, outcome: outcomes[o] as string };
        let cumulative = 0;
        for (let b = 0; b <= buckets.length; b++) {
          cumulative += this.#counts[series * (buckets.length + 1) + b] ?? 0;
          const le = b === buckets.length ? '+Inf' : String(buckets[b]);
          samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
        }
        samples.push({ metricName: `${name}_sum`, labels, value: this.#sums[series] ?? 0 });
        samples.push({ metricName: `${name}_count`, labels, value: cumulative });
      }
    }
    return samples;
  }
}
