import type { SkewResult } from '../workload/skew-scenario.js';
import type { BenchRun } from './bench-run.js';

/** The median of the figures among `values` (NaN left out: a run that could not measure it); NaN when none is. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The lower median: a value among `values` (for counts, which stay whole); NaN when empty. */
export function lowerMedian(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1] ?? Number.NaN;
}

type Figures = BenchRun & Partial<Pick<SkewResult, 'measuredMeanMs' | 'oracleMeanMs' | 'sampledMeanMs'>>;

/** The measured figures whose medians a repeated setting shows. */
const figures = [
  'throughput',
  'wallThroughput',
  'workerBusyShare',
  'latencyP50',
  'latencyP99',
  'lagP50',
  'lagP99',
  'seconds',
  'oracleThroughput',
  'measuredMeanMs',
  'oracleMeanMs',
  'sampledMeanMs',
] as const satisfies readonly (keyof Figures)[];

/** Counts: their lower median, so that a count stays a count (they seldom change between repeats). */
const counts = ['messages', 'failed', 'steadyAcked'] as const satisfies readonly (keyof Figures)[];

/**
 * Repeats of one setting as one run: each of the listed figures the median
 * of the repeats' (taken figure by figure, so p99 and throughput may come
 * from different repeats; a repeat that could not measure one, NaN, left
 * out), each count the lower median; everything else (the setting, the
 * threads, the ordering) as in the first repeat. `efficiency` is the median
 * throughput over the median oracle throughput, so the printed ratio
 * matches the printed figures. The timeline, which a median cannot be taken
 * of, is that of the repeat whose wall msg/s is nearest the median.
 */
export function medianRun<R extends BenchRun>(runs: readonly R[]): R {
  const first = runs[0];
  if (first === undefined) throw new RangeError('medianRun needs at least one run');
  if (runs.length === 1) return first;
  const taken: Record<string, number> = {};
  const take = (keys: readonly (keyof Figures)[], middle: (values: readonly number[]) => number) => {
    for (const key of keys) {
      const values = runs.map((run) => (run as Figures)[key]);
      if (values.every((value): value is number => typeof value === 'number')) taken[key] = middle(values);
    }
  };
  take(figures, median);
  take(counts, lowerMedian);
  const wall = taken['wallThroughput'] ?? first.wallThroughput;
  let nearest = first;
  for (const run of runs) if (Math.abs(run.wallThroughput - wall) < Math.abs(nearest.wallThroughput - wall)) nearest = run;
  const oracle = taken['oracleThroughput'];
  return {
    ...first,
    ...taken,
    ...(oracle === undefined ? {} : { efficiency: (taken['throughput'] ?? first.throughput) / oracle }),
    timeline: nearest.timeline,
  };
}
