import type { BenchMode, BenchRun, BenchSetting } from '../../bench/bench-run.js';
import type { BenchStep } from '../../bench/run-bench.js';
import type { SettingHooks } from '../../bench/transform-bench.js';
import type { EngineOptions } from '../../options/options.js';
import type { DistributionName } from '../../workload/distributions.js';
import type { SkewFamily } from '../../workload/skew-scenario.js';

/** Options of `tidemark bench` (and `tidemark demo`), checked. */
export interface BenchOptions {
  /** A user's transform, run on `input`; without it the built-in workload runs. */
  transform?: string;
  input?: string;
  /** In-flight targets, one setting each per mode. */
  concurrency: number[];
  modes: BenchMode[];
  threads?: number;
  ordered?: boolean;
  /** ms one try of the transform may take (the engine's `timeout`). */
  timeout?: number;
  /** Runs of each setting; the figures are their medians. */
  repeat: number;
  /** The built-in workload's. */
  family: SkewFamily;
  distribution: DistributionName;
  messages: number;
  meanMs: number;
  seed: number;
  json?: boolean;
  /** Only the results: nothing on stderr. */
  quiet?: boolean;
  /** Where the HTML report goes; `false` (from `--no-report`) for none. */
  report: string | false;
}

/** What a bench will run, known before anything is read: each setting's engine options, checked first. */
export interface BenchPlan {
  engineOptions(setting: BenchSetting): EngineOptions;
  /** Read what the runs need (a transform's input) and give the workload; undefined when `signal` stopped the reading. */
  prepare(signal: AbortSignal): Promise<BenchWorkload | undefined>;
}

/** What the bench command runs: the built-in workload or a user's transform. */
export interface BenchWorkload {
  /** The stderr line that opens the run. */
  readonly header: string;
  /** The report's title, and its line on what ran. */
  readonly title: string;
  readonly description: string;
  /** Messages per run, for the progress bar. */
  readonly messages: number;
  run(setting: BenchSetting, step: BenchStep, hooks: SettingHooks): Promise<BenchRun>;
  /** Lines printed under the table, and paragraphs for the report. */
  results(runs: readonly BenchRun[]): string[];
  reportNotes(runs: readonly BenchRun[]): string[];
}

/** One line to stderr, unless quiet. */
export type Log = (line: string) => void;
