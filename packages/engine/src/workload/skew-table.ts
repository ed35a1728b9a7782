import { markdownTable } from 'markdown-table';
import type { SkewResult } from './skew-scenario.js';

/**
 * A Markdown table of skew results, async and batch of one scenario side by
 * side, with the async/batch throughput ratio on the async row. `slots busy`
 * (time-averaged messages at the workers / concurrency) checks `efficiency`
 * from another side; `wall msg/s` includes the drain of the finite input.
 */
export function skewTable(results: readonly SkewResult[]): string {
  const header = [
    'family',
    'distribution',
    'conc',
    'mode',
    'msg/s',
    'ideal/s',
    'efficiency',
    'slots busy',
    'wall msg/s',
    'async/batch',
    'p50 ms',
    'p99 ms',
    'lag p50 ms',
    'lag p99 ms',
    'mean ms (measured / sampled)',
  ];
  const rows = results.map((r) => {
    const batch = r.mode === 'async' ? results.find((b) => b.mode === 'batch' && sameScenario(b, r)) : undefined;
    return [
      r.family,
      r.distribution,
      String(r.concurrency),
      r.mode,
      r.throughput.toFixed(0),
      r.ideal.toFixed(0),
      r.efficiency.toFixed(3),
      (r.parallelism / r.concurrency).toFixed(3),
      r.wallThroughput.toFixed(0),
      batch === undefined ? '' : (r.throughput / batch.throughput).toFixed(2),
      r.latencyP50.toFixed(1),
      r.latencyP99.toFixed(1),
      r.lagP50.toFixed(1),
      r.lagP99.toFixed(1),
      `${r.measuredMeanMs.toFixed(2)} / ${r.sampledMeanMs.toFixed(2)}`,
    ];
  });
  return markdownTable([header, ...rows], { align: ['l', 'l', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] });
}

function sameScenario(a: SkewResult, b: SkewResult): boolean {
  return (
    a.family === b.family &&
    a.distribution === b.distribution &&
    a.concurrency === b.concurrency &&
    a.seed === b.seed &&
    a.messages === b.messages
  );
}
