import type { Sample } from './collected-metric.js';
import { HistogramSeries } from './histogram-series.js';

export { buckets } from './histogram-series.js';

/** The stages of a message whose durations are recorded, in DESIGN.md's order. */
export const stages = ['queue_wait', 'transport', 'processing', 'output_wait', 'end_to_end'] as const;
export const outcomes = ['ok', 'failed'] as const;

/** Per-stage duration histograms, one series per stage and outcome. */
export class StageHistograms {
  readonly #series = new HistogramSeries(stages.length * outcomes.length);

  /** Record `seconds` for `stage` (an index into {@link stages}) and `outcome`. */
  observe(stage: number, outcome: number, seconds: number): void {
    this.#series.observe(stage * outcomes.length + outcome, seconds);
  }

  /** The samples of `name` in Prometheus' histogram form. */
  samples(name: string): Sample[] {
    const samples: Sample[] = [];
    for (let s = 0; s < stages.length; s++) {
      for (let o = 0; o < outcomes.length; o++) {
        this.#series.samples(name, s * outcomes.length + o, { stage: stages[s] as string, outcome: outcomes[o] as string }, samples);
      }
    }
    return samples;
  }
}
