// The arithmetic of `pnpm bench:numaflow`'s table: each timed pass's throughput and latency
// percentiles, then per contender the medians over the rounds and its throughput over the
// baseline's (of the medians, and round by round so that the spread shows).
import { median, percentile } from './distribution.js';
import type { Pass } from './numaflow-driver.js';

/** One timed pass of one contender. */
export interface NumaflowRun {
  readonly contender: string;
  readonly settings: string;
  readonly round: number;
  readonly messages: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
  /** Each request's time from sent to answered, nearest-rank percentiles. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** A contender over every round. */
export interface NumaflowSummary {
  readonly contender: string;
  readonly settings: string;
  /** msg/s of each round, in round order. */
  readonly messagesPerSecond: readonly number[];
  readonly medianMessagesPerSecond: number;
  readonly medianP50Ms: number;
  readonly medianP99Ms: number;
  /** Its median msg/s over the baseline's median. */
  readonly ratio: number;
  /** Round by round: its msg/s over the baseline's in the same round. */
  readonly roundRatios: readonly number[];
}

/** The figures of one pass. */
export function runFigures(contender: string, settings: string, round: number, pass: Pass): NumaflowRun {
  const sorted = [...pass.latenciesMs].sort((a, b) => a - b);
  return {
    contender,
    settings,
    round,
    messages: sorted.length,
    seconds: pass.seconds,
    messagesPerSecond: sorted.length / pass.seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

/** One summary per contender, in the order they first appear; ratios over `baseline`'s runs. */
export function summarizeNumaflow(runs: readonly NumaflowRun[], baseline: string): NumaflowSummary[] {
  const of = (contender: string): NumaflowRun[] => runs.filter((r) => r.contender === contender).sort((a, b) => a.round - b.round);
  const base = of(baseline);
  const baseMedian = median(base.map((r) => r.messagesPerSecond));
  return [...new Set(runs.map((r) => r.contender))].map((contender) => {
    const mine = of(contender);
    const rates = mine.map((r) => r.messagesPerSecond);
    const medianMessagesPerSecond = median(rates);
    return {
      contender,
      settings: mine[0]?.settings ?? '',
      messagesPerSecond: rates,
      medianMessagesPerSecond,
      medianP50Ms: median(mine.map((r) => r.p50Ms)),
      medianP99Ms: median(mine.map((r) => r.p99Ms)),
      ratio: medianMessagesPerSecond / baseMedian,
      roundRatios: mine.map((r) => r.messagesPerSecond / (base.find((b) => b.round === r.round)?.messagesPerSecond ?? Number.NaN)),
    };
  });
}
