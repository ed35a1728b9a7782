import { scenarioKey } from '@tidemark/engine/workload';
import type { SkewResult } from '@tidemark/engine/workload';
import type { Check } from './check.js';

/** The bars: enforced by `pnpm bench`'s exit code. */
export const skewBars = {
  /** Async throughput / the oracle's, `await` and `blocking` at concurrency 32. */
  efficiency: 0.9,
  /** Async / batch throughput on lognormal and Pareto latencies there. */
  asyncOverBatch: 2.5,
  /** Async / batch throughput in the `cpu` family. */
  cpuAsyncOverBatch: 1,
} as const;

/**
 * The figures the core issue asks for: async efficiency (throughput over the
 * oracle's on the same latencies) >= 0.90 in the `await` and `blocking`
 * families at concurrency 32; async/batch >= 2.5 on lognormal and Pareto
 * there; async >= batch everywhere in the `cpu` family. A scenario whose
 * batch run is missing fails its ratio checks (NaN passes no bar).
 */
export function skewChecks(results: readonly SkewResult[]): Check[] {
  const checks: Check[] = [];
  for (const async of results.filter((r) => r.mode === 'async')) {
    const batch = results.find((r) => r.mode === 'batch' && scenarioKey(r) === scenarioKey(async));
    const ratio = batch === undefined ? Number.NaN : async.throughput / batch.throughput;
    const where = `${async.family}/${async.distribution}/c${async.concurrency}`;
    if (async.family !== 'cpu' && async.concurrency === 32) {
      checks.push({
        name: `${where} async efficiency (msg/s / oracle) >= ${skewBars.efficiency.toFixed(2)}`,
        pass: async.efficiency >= skewBars.efficiency,
        detail: `${async.efficiency.toFixed(3)} (${async.throughput.toFixed(0)} / ${async.oracleThroughput.toFixed(0)})`,
      });
      if (async.distribution === 'lognormal' || async.distribution === 'pareto') {
        checks.push({ name: `${where} async/batch >= ${skewBars.asyncOverBatch}`, pass: ratio >= skewBars.asyncOverBatch, detail: ratio.toFixed(2) });
      }
    }
    if (async.family === 'cpu') {
      checks.push({ name: `${where} async >= batch`, pass: ratio >= skewBars.cpuAsyncOverBatch, detail: ratio.toFixed(2) });
    }
  }
  return checks;
}
