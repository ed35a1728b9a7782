import type { BenchRun } from './bench-run.js';

/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Repeats of one setting as one run: every numeric figure the median of the
 * repeats' figures, taken figure by figure (so p99 and throughput may come
 * from different repeats); settings that do not change between repeats
 * (concurrency, threads, messages) stay as they are. `efficiency` is then
 * the median throughput over the median oracle throughput, so the printed
 * ratio matches the printed figures. The timeline, which a median cannot be
 * taken of, is that of the repeat whose throughput is nearest the median.
 */
export function medianRun<R extends BenchRun>(runs: readonly R[]): R {
  const first = runs[0];
  if (first === undefined) throw new RangeError('medianRun needs at least one run');
  if (runs.length === 1) return first;
  const figures: Record<string, number> = {};
  for (const [key, value] of Object.entries(first)) {
    if (typeof value !== 'number') continue;
    const values = runs.map((run) => (run as unknown as Record<string, unknown>)[key]);
    if (values.every((v): v is number => typeof v === 'number')) figures[key] = median(values);
  }
  const throughput = figures['throughput'] ?? first.throughput;
  let nearest = first;
  for (const run of runs) if (Math.abs(run.throughput - throughput) < Math.abs(nearest.throughput - throughput)) nearest = run;
  const oracle = figures['oracleThroughput'];
  return {
    ...first,
    ...figures,
    ...(oracle === undefined ? {} : { efficiency: throughput / oracle }),
    timeline: nearest.timeline,
  };
}
