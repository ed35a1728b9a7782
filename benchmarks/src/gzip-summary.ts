// The arithmetic of the gzip benchmark's table: which contender runs first in each round,
// the medians of the runs, and each contender over tinypool (medians, and round by round so
// the spread shows), with the bar: the engine at least tinypool at every concurrency.
import type { Check } from './check.js';
import { upperMedian as median } from './distribution.js';

/** One timed run as the summary needs it: who, at what in-flight count, in which round, how fast. */
export interface RoundFigure {
  readonly contender: string;
  readonly concurrency: number;
  readonly round: number;
  readonly filesPerSecond: number;
  readonly megabytesPerSecond: number;
}

/** A contender at one concurrency over all rounds. */
export interface ContenderSummary {
  readonly contender: string;
  readonly concurrency: number;
  /** files/s of each round, in round order. */
  readonly filesPerSecond: readonly number[];
  readonly medianFilesPerSecond: number;
  readonly medianMegabytesPerSecond: number;
  /** Its median over the baseline's median. */
  readonly ratio: number;
  /** Round by round: its files/s over the baseline's in the same round. */
  readonly roundRatios: readonly number[];
}

/**
 * The order of round `round`: as given in even rounds, reversed in odd ones (A B, B A, A B, ...),
 * so that no contender always runs first or always after the same one.
 */
export function roundOrder<T>(order: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...order] : [...order].reverse();
}

/** One summary per contender and concurrency, in the order they first appear; ratios over `baseline`'s runs at the same concurrency. */
export function summarize(runs: readonly RoundFigure[], baseline: string): ContenderSummary[] {
  const keys = [...new Map(runs.map((r) => [`${r.concurrency}\u0000${r.contender}`, r])).values()];
  const of = (contender: string, concurrency: number) =>
    runs.filter((r) => r.contender === contender && r.concurrency === concurrency).sort((a, b) => a.round - b.round);
  return keys.map(({ contender, concurrency }) => {
    const mine = of(contender, concurrency);
    const base = of(baseline, concurrency);
    const rates = mine.map((r) => r.filesPerSecond);
    const medianFilesPerSecond = median(rates);
    return {
      contender,
      concurrency,
      filesPerSecond: rates,
      medianFilesPerSecond,
      medianMegabytesPerSecond: median(mine.map((r) => r.megabytesPerSecond)),
      ratio: medianFilesPerSecond / median(base.map((r) => r.filesPerSecond)),
      roundRatios: mine.map((r) => r.filesPerSecond / (base.find((b) => b.round === r.round)?.filesPerSecond ?? Number.NaN)),
    };
  });
}

/** The bar of the issue: the engine moves at least as many files per second as tinypool's lanes. */
export const ratioBar = 1;

/** One check per concurrency: `contender`'s median over the baseline's >= {@link ratioBar}. */
export function ratioChecks(summaries: readonly ContenderSummary[], contender: string, baseline: string): Check[] {
  return summaries
    .filter((s) => s.contender === contender)
    .map((s) => ({
      name: `c${s.concurrency} ${contender} / ${baseline} >= ${ratioBar.toFixed(2)}`,
      pass: s.ratio >= ratioBar,
      detail: `${s.ratio.toFixed(3)} (rounds ${s.roundRatios.map((r) => r.toFixed(2)).join(', ')})`,
    }));
}
