import type { Check } from './check.js';

/** Engine throughput with metrics on over the same with them off, at one concurrency (medians of alternating runs). */
export interface MetricsRatio {
  readonly concurrency: number;
  readonly off: number;
  readonly on: number;
  readonly ratio: number;
}

/** The bar of the metrics check: metrics may cost at most 10% of the engine's throughput. */
export const metricsBar = 0.9;

/** One check per concurrency: metrics on / off >= {@link metricsBar}; `bench:overhead` exits 1 when one fails. */
export function metricsChecks(ratios: readonly MetricsRatio[]): Check[] {
  return ratios.map((m) => ({
    name: `c${m.concurrency} metrics on / off >= ${metricsBar.toFixed(2)}`,
    pass: m.ratio >= metricsBar,
    detail: `${Math.round(m.on).toLocaleString('en')} / ${Math.round(m.off).toLocaleString('en')} msg/s = ${m.ratio.toFixed(3)}`,
  }));
}

