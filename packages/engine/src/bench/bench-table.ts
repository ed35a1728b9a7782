import { markdownTable } from 'markdown-table';
import type { SkewRun } from '../workload/skew-scenario.js';
import type { BenchRun } from './bench-run.js';
import { printedDigits } from './best-setting.js';

/** One column of the bench table. */
interface Column {
  readonly header: string;
  readonly align: 'l' | 'r';
  readonly cell: (run: BenchRun, all: readonly BenchRun[]) => string;
  /** Shown only for runs of the built-in workload (with the oracle), or only for a user's transform. */
  readonly only?: 'oracle' | 'transform';
}

const skew = (run: BenchRun): Partial<SkewRun> => run;
const fixed = (value: number | undefined, digits: number): string => (value === undefined ? '' : value.toFixed(digits));

/** The batch run at the same concurrency as an async one (everything else is the same within one bench). */
export function batchOf(run: BenchRun, all: readonly BenchRun[]): BenchRun | undefined {
  return run.mode === 'async' ? all.find((other) => other.mode === 'batch' && other.concurrency === run.concurrency) : undefined;
}

const columns: readonly Column[] = [
  { header: 'family', align: 'l', cell: (r) => skew(r).family ?? '', only: 'oracle' },
  { header: 'distribution', align: 'l', cell: (r) => skew(r).distribution ?? '', only: 'oracle' },
  { header: 'conc', align: 'r', cell: (r) => String(r.concurrency) },
  { header: 'threads', align: 'r', cell: (r) => String(r.threads) },
  { header: 'mode', align: 'l', cell: (r) => r.mode },
  { header: 'messages', align: 'r', cell: (r) => String(r.messages), only: 'transform' },
  { header: 'failed', align: 'r', cell: (r) => String(r.failed), only: 'transform' },
  { header: 'msg/s', align: 'r', cell: (r) => r.throughput.toFixed(printedDigits.throughput) },
  { header: 'oracle msg/s', align: 'r', cell: (r) => fixed(r.oracleThroughput, 0), only: 'oracle' },
  { header: 'efficiency', align: 'r', cell: (r) => fixed(r.efficiency, 3), only: 'oracle' },
  { header: 'worker busy share', align: 'r', cell: (r) => r.workerBusyShare.toFixed(3) },
  { header: 'wall msg/s', align: 'r', cell: (r) => r.wallThroughput.toFixed(0) },
  {
    header: 'async/batch',
    align: 'r',
    cell: (r, all) => {
      const batch = batchOf(r, all);
      return batch === undefined ? '' : (r.throughput / batch.throughput).toFixed(2);
    },
  },
  { header: 'p50 ms', align: 'r', cell: (r) => r.latencyP50.toFixed(1) },
  { header: 'p99 ms', align: 'r', cell: (r) => r.latencyP99.toFixed(printedDigits.latencyP99) },
  { header: 'lag p50 ms', align: 'r', cell: (r) => r.lagP50.toFixed(1) },
  { header: 'lag p99 ms', align: 'r', cell: (r) => r.lagP99.toFixed(1) },
  {
    header: 'mean ms (measured / oracle / sampled)',
    align: 'r',
    cell: (r) => {
      const s = skew(r);
      return `${fixed(s.measuredMeanMs, 2)} / ${fixed(s.oracleMeanMs, 2)} / ${fixed(s.sampledMeanMs, 2)}`;
    },
    only: 'oracle',
  },
];

/** The bench table's cells: what the CLI prints as Markdown and the report as HTML. */
export interface BenchCells {
  readonly header: readonly string[];
  readonly align: readonly ('l' | 'r')[];
  readonly rows: readonly (readonly string[])[];
}

/**
 * The bench table, one row per setting in the order given, with the demo's
 * columns: `msg/s` (the steady state), `wall msg/s` (with the drain), the
 * worker busy share, `async/batch` on the async row (its throughput over
 * batch's at the same concurrency), p50/p99 end-to-end latency and
 * watermark lag; for the built-in workload also the oracle, the efficiency
 * against it and the three means; for a user's transform the messages
 * counted and the failed records instead (no oracle: nothing knows what its
 * latencies would cost a perfect engine). `best` marks `bestIndex`.
 */
export function benchCells(runs: readonly BenchRun[], bestIndex: number): BenchCells {
  const oracle = runs.some((run) => run.oracleThroughput !== undefined);
  const shown = columns.filter((c) => c.only === undefined || c.only === (oracle ? 'oracle' : 'transform'));
  return {
    header: [...shown.map((c) => c.header), 'best'],
    align: [...shown.map((c) => c.align), 'l'],
    rows: runs.map((run, i) => [...shown.map((c) => c.cell(run, runs)), i === bestIndex ? 'best' : '']),
  };
}

/** {@link benchCells} as a Markdown table. */
export function benchTable(runs: readonly BenchRun[], bestIndex: number): string {
  const { header, align, rows } = benchCells(runs, bestIndex);
  return markdownTable([header, ...rows], { align });
}
