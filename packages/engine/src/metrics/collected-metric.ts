import type { AnyRegistry as Registry } from '../options/options.js';

/** One sample of a metric: its labels and value. */
export interface Sample {
  readonly labels?: Record<string, string>;
  readonly value: number;
  /** For histograms: `name_bucket`, `name_sum`, `name_count`. */
  readonly metricName?: string;
}

/**
 * A metric whose samples are read when Prometheus scrapes, not written on
 * the hot path: prom-client calls `get()` on every registered metric, so
 * the engine's own counters, gauges and bucket arrays are turned into
 * samples only then.
 */
export class CollectedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator = 'sum';
  readonly #read: () => readonly Sample[];

  constructor(name: string, help: string, type: 'counter' | 'gauge' | 'histogram', read: () => readonly Sample[]) {
    this.name = name;
    this.help = help;
    this.type = type;
    this.#read = read;
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: [...this.#read()] };
  }

  reset(): void {}

  /** Add to `registry` (prom-client takes any object of this shape). */
  register(registry: Registry): void {
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }
}
