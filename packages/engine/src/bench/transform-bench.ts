import { Engine } from '../engine.js';
import { measureRun } from '../measure/measure-run.js';
import { summarizeRun } from '../measure/run-summary.js';
import type { EngineOptions } from '../options/options.js';
import type { BenchRun, BenchSetting } from './bench-run.js';
import type { BenchInput } from './bench-input.js';

/** What a bench of a user's transform runs, the setting and the input aside. */
export interface TransformBench {
  /** The transform module, as `tidemark run --transform` takes it. */
  readonly transform: string;
  /** @default the engine's (the core count) */
  readonly threads?: number;
  /** Outputs in input order. @default false */
  readonly ordered?: boolean;
  /** ms one try may take before it fails (and is retried): what ends a record that never settles. @default 0, no limit */
  readonly timeout?: number;
}

/** Hooks into a setting's run: a progress display, and a signal that stops it. */
export interface SettingHooks {
  /** Called with the engine just before the measured run. */
  readonly measuring?: (engine: Engine) => void;
  /** Stops the setting (the warm-up or the measured run): reading stops, what is in flight finishes. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * The engine options of one setting: in batch mode the batch size is the
 * concurrency; retries are the engine's defaults, as in `tidemark run`.
 */
export function transformEngineOptions(bench: TransformBench, setting: BenchSetting): EngineOptions {
  return {
    transform: bench.transform,
    ...(bench.threads === undefined ? {} : { threads: bench.threads }),
    concurrency: setting.concurrency,
    mode: setting.mode,
    batchSize: setting.concurrency,
    ordering: bench.ordered === true ? 'ordered' : 'unordered',
    ...(bench.timeout === undefined ? {} : { timeout: bench.timeout }),
  };
}

/**
 * One setting on a fresh engine: the threads started and the transform
 * loaded by a warm-up over the input's first `2 × concurrency` records (as
 * the built-in workload warms up with twice its concurrency), outside the
 * measured window; then the whole input, measured.
 */
export async function runTransformSetting(bench: TransformBench, input: BenchInput, setting: BenchSetting, hooks: SettingHooks = {}): Promise<BenchRun> {
  const records = input.records;
  const engine = new Engine(transformEngineOptions(bench, setting));
  const signal = hooks.signal === undefined ? {} : { signal: hooks.signal };
  try {
    for await (const record of engine.process(records.slice(0, 2 * setting.concurrency), signal)) void record;
    const run = await measureRun(engine, records, records.length, { ...signal, ...(hooks.measuring === undefined ? {} : { measuring: hooks.measuring }) });
    const { steady: _steady, ...figures } = summarizeRun({ concurrency: setting.concurrency, failed: run.failed, times: run.times });
    return {
      ...setting,
      threads: engine.options.threads,
      ordering: engine.options.ordering,
      timeout: engine.options.timeout,
      messages: run.acked,
      ...figures,
      timeline: run.timeline,
    };
  } finally {
    await engine.close();
  }
}
