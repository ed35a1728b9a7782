import { distributionNames, runSkewScenario } from '@tidemark/engine/workload';
import type { DistributionName, SkewFamily, SkewResult, SkewRun, SkewScenario } from '@tidemark/engine/workload';

/** Which scenarios the skew suite runs. */
export interface SkewSuiteOptions {
  /** Seconds an async run of each scenario should take at the ideal rate; batch takes longer. */
  readonly seconds: number;
  readonly families: readonly SkewFamily[];
  readonly distributions: readonly DistributionName[];
  readonly seed: number;
  /** Called after each run, for progress. */
  readonly onResult?: (result: SkewResult, done: number, total: number) => void;
}

/** Mean latency (ms) and concurrencies of each family. */
const families: Record<SkewFamily, { meanMs: number; concurrency: readonly number[] }> = {
  // Many messages per worker, each awaiting a timer.
  await: { meanMs: 10, concurrency: [8, 32] },
  // One message per thread, blocked in Atomics.wait: threads = concurrency.
  blocking: { meanMs: 10, concurrency: [8, 32] },
  // Burning CPU: threads = cores, so concurrency = cores.
  cpu: { meanMs: 2, concurrency: [2] },
};

/** Every scenario of the suite, batch beside async on the same seeded latencies. */
export function skewScenarios(options: Omit<SkewSuiteOptions, 'onResult'>): SkewScenario[] {
  const scenarios: SkewScenario[] = [];
  for (const family of options.families) {
    const { meanMs, concurrency } = families[family];
    for (const c of concurrency) {
      for (const distribution of options.distributions) {
        const messages = Math.round((options.seconds * 1000 * c) / meanMs);
        for (const mode of ['async', 'batch'] as const) {
          scenarios.push({ family, distribution, mode, concurrency: c, messages, meanMs, seed: options.seed });
        }
      }
    }
  }
  return scenarios;
}

/** Run the suite one scenario at a time (each on a fresh, warmed-up engine). */
export async function runSkewSuite(options: SkewSuiteOptions): Promise<SkewRun[]> {
  const scenarios = skewScenarios(options);
  const results: SkewRun[] = [];
  for (const scenario of scenarios) {
    const result = await runSkewScenario(scenario);
    results.push(result);
    options.onResult?.(result, results.length, scenarios.length);
  }
  return results;
}

export { distributionNames };
