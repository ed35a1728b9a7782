import { markdownTable } from 'markdown-table';
import { scenarioKey } from './skew-scenario.js';
import type { SkewResult } from './skew-scenario.js';

/**
 * A Markdown table of skew results, async and batch of one scenario side by
 * side, with the async/batch throughput ratio on the async row.
 *
 * - `oracle msg/s`: the same seeded latencies through the in-process,
 *   work-conserving oracle with the same concurrency (see `runOracle`);
 *   async and batch of one scenario share it. `efficiency` is `msg/s` over it.
 * - `worker busy share`: time-averaged messages inside the transform /
 *   concurrency, from the workers' own start and end times, the timestamps
 *   the throughput rests on too: a view of the same run, not an independent check.
 * - `wall msg/s` includes the drain of the finite input.
 * - `mean ms`: as the transform measured it / as the oracle's clock measured
 *   its waits / the seeded (sampled) latencies.
 */
export function skewTable(results: readonly SkewResult[]): string {
  const header = [
    'family',
    'distribution',
    'conc',
    'threads',
    'mode',
    'msg/s',
    'oracle msg/s',
    'efficiency',
    'worker busy share',
    'wall msg/s',
    'async/batch',
    'p50 ms',
    'p99 ms',
    'lag p50 ms',
    'lag p99 ms',
    'mean ms (measured / oracle / sampled)',
  ];
  const rows = results.map((r) => {
    const batch = r.mode === 'async' ? results.find((b) => b.mode === 'batch' && scenarioKey(b) === scenarioKey(r)) : undefined;
    return [
      r.family,
      r.distribution,
      String(r.concurrency),
      String(r.threads),
      r.mode,
      r.throughput.toFixed(0),
      r.oracleThroughput.toFixed(0),
      r.efficiency.toFixed(3),
      r.workerBusyShare.toFixed(3),
      r.wallThroughput.toFixed(0),
      batch === undefined ? '' : (r.throughput / batch.throughput).toFixed(2),
      r.latencyP50.toFixed(1),
      r.latencyP99.toFixed(1),
      r.lagP50.toFixed(1),
      r.lagP99.toFixed(1),
      `${r.measuredMeanMs.toFixed(2)} / ${r.oracleMeanMs.toFixed(2)} / ${r.sampledMeanMs.toFixed(2)}`,
    ];
  });
  return markdownTable([header, ...rows], { align: ['l', 'l', 'r', 'r', 'l', ...Array<'r'>(11).fill('r')] });
}
