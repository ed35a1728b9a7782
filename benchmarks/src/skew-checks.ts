import type { SkewResult } from '@tidemark/engine/workload';

/** One acceptance check of the skew suite, as the core issue states it. */
export interface Check {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
}

/**
 * The figures the core issue asks for: async efficiency >= 0.90 in the
 * `await` and `blocking` families at concurrency 32; async/batch >= 2.5 on
 * lognormal and Pareto there; async >= batch everywhere in the `cpu` family.
 */
export function skewChecks(results: readonly SkewResult[]): Check[] {
  const checks: Check[] = [];
  for (const async of results.filter((r) => r.mode === 'async')) {
    const batch = results.find(
      (r) =>
        r.mode === 'batch' &&
        r.family === async.family &&
        r.distribution === async.distribution &&
        r.concurrency === async.concurrency,
    );
    const ratio = batch === undefined ? Number.NaN : async.throughput / batch.throughput;
    const where = `${async.family}/${async.distribution}/c${async.concurrency}`;
    if (async.family !== 'cpu' && async.concurrency === 32) {
      checks.push({ name: `${where} async efficiency >= 0.90`, pass: async.efficiency >= 0.9, detail: async.efficiency.toFixed(3) });
      if (async.distribution === 'lognormal' || async.distribution === 'pareto') {
        checks.push({ name: `${where} async/batch >= 2.5`, pass: ratio >= 2.5, detail: ratio.toFixed(2) });
      }
    }
    if (async.family === 'cpu') {
      checks.push({ name: `${where} async >= batch`, pass: ratio >= 1, detail: ratio.toFixed(2) });
    }
  }
  return checks;
}
