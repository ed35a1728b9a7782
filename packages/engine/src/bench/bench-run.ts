import type { RunFigures } from '../measure/run-summary.js';
import type { SkewTimeline } from '../measure/timeline.js';

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
  /** How the engine of a user's transform emitted outputs, and its try timeout in ms (0: none). */
  readonly ordering?: 'ordered' | 'unordered' | 'key';
  readonly timeout?: number;
  /** The oracle's throughput on the same latencies, and `throughput` over it (the built-in workload only). */
  readonly oracleThroughput?: number;
  readonly efficiency?: number;
  readonly timeline: SkewTimeline;
}

/** A setting as the CLI and the report name it: `async at concurrency 32`. */
export function settingName(setting: BenchSetting): string {
  return `${setting.mode} at concurrency ${setting.concurrency}`;
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
