import { availableParallelism } from 'node:os';
import { distributionNames, runSkewOracle, runSkewScenario } from '@tidemark/engine/workload';
import type { DistributionName, OracleRun, SkewFamily, SkewResult, SkewRun, SkewScenario } from '@tidemark/engine/workload';

/** Which scenarios the skew suite runs. */
export interface SkewSuiteOptions {
  /** Seconds an async run of each scenario should take at `concurrency / mean latency`; batch takes longer. */
  readonly seconds: number;
  readonly families: readonly SkewFamily[];
  readonly distributions: readonly DistributionName[];
  readonly seed: number;
  /** Called after each oracle run, for progress. */
  readonly onOracle?: (scenario: SkewScenario, oracle: OracleRun) => void;
  /** Called after each run, for progress. */
  readonly onResult?: (result: SkewResult, done: number, total: number) => void;
}

/** Mean latency (ms), concurrencies and threads of each family. */
function familySettings(family: SkewFamily): { meanMs: number; concurrency: readonly number[]; threads?: number } {
  switch (family) {
    // Many messages per worker, each awaiting a timer; threads = cores.
    case 'await':
      return { meanMs: 10, concurrency: [8, 32] };
    // One message per thread, blocked in Atomics.wait: threads = concurrency.
    case 'blocking':
      return { meanMs: 10, concurrency: [8, 32] };
    // Burning CPU: one message per core, so concurrency = threads = cores.
    case 'cpu': {
      const cores = availableParallelism();
      return { meanMs: 2, concurrency: [cores], threads: cores };
    }
  }
}

/** Every scenario of the suite, batch beside async on the same seeded latencies. */
export function skewScenarios(options: Omit<SkewSuiteOptions, 'onResult' | 'onOracle'>): SkewScenario[] {
  const scenarios: SkewScenario[] = [];
  for (const family of options.families) {
    const { meanMs, concurrency, threads } = familySettings(family);
    for (const c of concurrency) {
      for (const distribution of options.distributions) {
        const messages = Math.round((options.seconds * 1000 * c) / meanMs);
        for (const mode of ['async', 'batch'] as const) {
          const scenario = { family, distribution, mode, concurrency: c, messages, meanMs, seed: options.seed };
          scenarios.push(threads === undefined ? scenario : { ...scenario, threads });
        }
      }
    }
  }
  return scenarios;
}

/**
 * Run the suite one scenario at a time (each on a fresh, warmed-up engine).
 * Each scenario's oracle runs once, in this process just before its first
 * mode, and both modes are divided by it.
 */
export async function runSkewSuite(options: SkewSuiteOptions): Promise<SkewRun[]> {
  const scenarios = skewScenarios(options);
  const results: SkewRun[] = [];
  let oracle: { key: string; run: OracleRun } | undefined;
  for (const scenario of scenarios) {
    const key = oracleKey(scenario);
    if (oracle?.key !== key) {
      oracle = { key, run: await runSkewOracle(scenario) };
      options.onOracle?.(scenario, oracle.run);
    }
    const result = await runSkewScenario(scenario, { oracle: oracle.run });
    results.push(result);
    options.onResult?.(result, results.length, scenarios.length);
  }
  return results;
}

/** What the oracle depends on: the seeded latencies, how the family spends them, and the concurrency; not the mode or the threads. */
function oracleKey(s: SkewScenario): string {
  return JSON.stringify([s.family, s.distribution, s.meanMs, s.messages, s.seed, s.concurrency]);
}

export { distributionNames };
