import { benchTable } from '../bench/bench-table.js';
import { scenarioKey } from './skew-scenario.js';
import type { SkewResult } from './skew-scenario.js';

/**
 * A Markdown table of skew results (`pnpm bench`), the bench table's
 * columns without its `best` column: async and batch of one scenario (the
 * same seeded latencies) paired for the async/batch throughput ratio on the
 * async row.
 *
 * - `oracle msg/s`: the same seeded latencies through the in-process,
 *   work-conserving oracle with the same concurrency (see `runOracle`);
 *   async and batch of one scenario share it. `efficiency` is `msg/s` over it.
 * - `worker busy share`: time-averaged messages inside the transform /
 *   concurrency, from the workers' own start and end times, the timestamps
 *   the throughput rests on too: a view of the same run, not an independent check.
 * - `wall msg/s`: every message, from the first read to the end, the drain included.
 * - `mean ms`: as the transform measured it / as the oracle's clock measured
 *   its waits / the seeded (sampled) latencies.
 * - `–`: a figure that cannot be worked out, or a steady-state one whose
 *   window holds too few acks (see `steadyShown`).
 */
export function skewTable(results: readonly SkewResult[]): string {
  return benchTable(results, { pairKey: scenarioKey });
}
