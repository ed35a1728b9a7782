import type { RunFigures } from '../workload/run-summary.js';
import type { SkewTimeline } from '../workload/timeline.js';

/** The modes a bench compares. */
export const benchModes = ['async', 'batch'] as const;
export type BenchMode = (typeof benchModes)[number];

/** One setting of a bench: a mode at a concurrency (in batch mode also the batch size). */
export interface BenchSetting {
  readonly mode: BenchMode;
  readonly concurrency: number;
}

/**
 * What a bench shows of one setting: the figures every engine run has and,
 * for the built-in workload, the oracle's (a user's transform has none).
 * A `SkewRun` is one.
 */
export interface BenchRun extends BenchSetting, RunFigures {
  readonly threads: number;
  /** Messages in the run (acks counted, for a transform's input). */
  readonly messages: number;
  /** Messages acked inside the steady-state window, when known: few means the input is short for the concurrency. */
  readonly steadyAcked?: number;
  /** The oracle's throughput on the same latencies, and `throughput` over it (the built-in workload only). */
  readonly oracleThroughput?: number;
  readonly efficiency?: number;
  readonly timeline: SkewTimeline;
}

/** Every concurrency in every mode, concurrency by concurrency: the order of the table. */
export function benchSettings(concurrencies: readonly number[], modes: readonly BenchMode[]): BenchSetting[] {
  return concurrencies.flatMap((concurrency) => modes.map((mode) => ({ mode, concurrency })));
}

/**
 * The order the settings run in on repeat `r` (from 0): forward on even
 * repeats, reversed on odd ones, so that no setting always runs first (on a
 * cold machine) or last (after the others have heated it).
 */
export function runOrder<T>(settings: readonly T[], repeat: number): T[] {
  return repeat % 2 === 0 ? [...settings] : [...settings].reverse();
}
