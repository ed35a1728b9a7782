import type { Sample } from './collected-metric.js';
import { HistogramSeries } from './histogram-series.js';

/** Priority label values kept apart; the rest share `priority="other"`. */
export const maxPriorityLabels = 16;

/** The label of priorities past the first {@link maxPriorityLabels}. */
export const otherPriority = 'other';

/**
 * Read-to-ack latency histograms by priority. The label is the priority rounded down to an integer, so
 * that fractional priorities (or aging-like scores a user computes) do not
 * make a series each; the first {@link maxPriorityLabels} distinct labels
 * seen get a series of their own and any later one counts under
 * `priority="other"`, so a scrape never holds more than 17 series.
 */
export class PriorityHistograms {
  /** Label value → series index, in the order first seen. */
  readonly #series = new Map<number, number>();
  readonly #histograms = new HistogramSeries(maxPriorityLabels + 1);

  /** Record `seconds` for a message of priority `priority` (finite). */
  observe(priority: number, seconds: number): void {
    const label = Math.floor(priority);
    let series = this.#series.get(label);
    if (series === undefined) {
      series = this.#series.size < maxPriorityLabels ? this.#series.size : maxPriorityLabels;
      if (series < maxPriorityLabels) this.#series.set(label, series);
    }
    this.#histograms.observe(series, seconds);
  }

  /** The samples of `name` in Prometheus' histogram form: one series per label seen. */
  samples(name: string): Sample[] {
    const labels: [string, number][] = [...this.#series].map(([label, series]) => [String(label), series]);
    if (this.#histograms.seen(maxPriorityLabels)) labels.push([otherPriority, maxPriorityLabels]);
    const samples: Sample[] = [];
    for (const [priority, series] of labels) this.#histograms.samples(name, series, { priority }, samples);
    return samples;
  }
}
