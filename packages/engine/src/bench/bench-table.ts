import { markdownTable } from 'markdown-table';
import { fixed, noFigure } from '../report/format.js';
import type { SkewResult } from '../workload/skew-scenario.js';
import type { BenchRun } from './bench-run.js';
import type { Best } from './best-setting.js';
import { printedDigits } from './best-setting.js';
import { ratio, steadyShown } from './steady-window.js';

/** A row of the table: a bench run's figures (its timeline is not shown), and the built-in workload's when it is one. */
export type TableRun = Omit<BenchRun, 'timeline'> &
  Partial<Pick<SkewResult, 'family' | 'distribution' | 'measuredMeanMs' | 'oracleMeanMs' | 'sampledMeanMs'>>;

/** Options of {@link benchCells}. */
export interface TableOptions<R extends TableRun = TableRun> {
  /** The best setting: a `best` column marking its row (none when it has no index). Without it, no such column. */
  readonly best?: Best;
  /**
   * What an async row and its batch row share, the mode aside: its batch row
   * is the one `async/batch` divides by.
   * @default the concurrency (everything else is the same within one bench)
   */
  readonly pairKey?: (run: R) => string;
}

/** One column of the table. */
interface Column {
  readonly header: string;
  readonly align: 'l' | 'r';
  readonly cell: (run: TableRun, batch: TableRun | undefined) => string;
  /** Shown only for runs of the built-in workload (with the oracle), or only for a user's transform. */
  readonly only?: 'oracle' | 'transform';
}

/** A steady-state figure, or {@link noFigure} where its window holds too few acks (see `steadyShown`). */
const steady = (run: TableRun, value: number | undefined, digits: number): string =>
  steadyShown(run) ? fixed(value ?? Number.NaN, digits) : noFigure;
const optional = (value: number | undefined, digits: number): string => (value === undefined ? '' : fixed(value, digits));

const columns: readonly Column[] = [
  { header: 'family', align: 'l', cell: (r) => r.family ?? '', only: 'oracle' },
  { header: 'distribution', align: 'l', cell: (r) => r.distribution ?? '', only: 'oracle' },
  { header: 'conc', align: 'r', cell: (r) => String(r.concurrency) },
  { header: 'threads', align: 'r', cell: (r) => String(r.threads) },
  { header: 'mode', align: 'l', cell: (r) => r.mode },
  { header: 'messages', align: 'r', cell: (r) => String(r.messages), only: 'transform' },
  { header: 'failed', align: 'r', cell: (r) => String(r.failed), only: 'transform' },
  { header: 'msg/s', align: 'r', cell: (r) => steady(r, r.throughput, 0) },
  { header: 'oracle msg/s', align: 'r', cell: (r) => optional(r.oracleThroughput, 0), only: 'oracle' },
  { header: 'efficiency', align: 'r', cell: (r) => steady(r, r.efficiency, 3), only: 'oracle' },
  { header: 'worker busy share', align: 'r', cell: (r) => steady(r, r.workerBusyShare, 3) },
  { header: 'wall msg/s', align: 'r', cell: (r) => fixed(r.wallThroughput, printedDigits.wallThroughput) },
  {
    header: 'async/batch',
    align: 'r',
    cell: (r, batch) => (batch === undefined ? '' : steadyShown(r) && steadyShown(batch) ? fixed(ratio(r.throughput, batch.throughput), 2) : noFigure),
  },
  { header: 'p50 ms', align: 'r', cell: (r) => fixed(r.latencyP50, 1) },
  { header: 'p99 ms', align: 'r', cell: (r) => fixed(r.latencyP99, printedDigits.latencyP99) },
  { header: 'lag p50 ms', align: 'r', cell: (r) => fixed(r.lagP50, 1) },
  { header: 'lag p99 ms', align: 'r', cell: (r) => fixed(r.lagP99, 1) },
  {
    header: 'mean ms (measured / oracle / sampled)',
    align: 'r',
    cell: (r) => `${optional(r.measuredMeanMs, 2)} / ${optional(r.oracleMeanMs, 2)} / ${optional(r.sampledMeanMs, 2)}`,
    only: 'oracle',
  },
];

/** The batch run paired with an async one (`undefined` for a batch run, or an async run without one). */
export function batchOf<R extends TableRun>(run: R, all: readonly R[], pairKey: (run: R) => string = (r) => String(r.concurrency)): R | undefined {
  if (run.mode !== 'async') return undefined;
  const key = pairKey(run);
  return all.find((other) => other.mode === 'batch' && pairKey(other) === key);
}

/** The table's cells: what the CLI prints as Markdown and the report as HTML. */
export interface BenchCells {
  readonly header: readonly string[];
  readonly align: readonly ('l' | 'r')[];
  readonly rows: readonly (readonly string[])[];
}

/**
 * The bench table (and `pnpm bench`'s skew table), one row per run in the
 * order given: `msg/s` (the steady state, `–` where its window holds too
 * few acks), `wall msg/s` (every message, first read to end), the worker
 * busy share, `async/batch` on an async row (its msg/s over its batch
 * row's), p50/p99 end-to-end latency and watermark lag; for the built-in
 * workload also the oracle, the efficiency against it and the three means;
 * for a user's transform the messages counted and the failed records
 * instead (no oracle: nothing knows what its latencies would cost a perfect
 * engine). A figure that cannot be worked out prints `–`.
 */
export function benchCells<R extends TableRun>(runs: readonly R[], options: TableOptions<R> = {}): BenchCells {
  const oracle = runs.some((run) => run.oracleThroughput !== undefined);
  const shown = columns.filter((c) => c.only === undefined || c.only === (oracle ? 'oracle' : 'transform'));
  const best = options.best;
  const rows = runs.map((run) => shown.map((c) => c.cell(run, batchOf(run, runs, options.pairKey))));
  if (best === undefined) return { header: shown.map((c) => c.header), align: shown.map((c) => c.align), rows };
  return {
    header: [...shown.map((c) => c.header), 'best'],
    align: [...shown.map((c) => c.align), 'l'],
    rows: rows.map((row, i) => [...row, i === best.index ? 'best' : '']),
  };
}

/** {@link benchCells} as a Markdown table. */
export function benchTable<R extends TableRun>(runs: readonly R[], options: TableOptions<R> = {}): string {
  const { header, align, rows } = benchCells(runs, options);
  return markdownTable([header, ...rows], { align });
}
