import { Engine } from '../engine.js';
import { measureRun } from '../workload/measure-run.js';
import { summarizeRun } from '../workload/run-summary.js';
import type { BenchRun, BenchSetting } from './bench-run.js';
import type { BenchInput } from './bench-input.js';

/** What a bench of a user's transform runs, the setting aside. */
export interface TransformBench {
  /** The transform module, as `tidemark run --transform` takes it. */
  readonly transform: string;
  readonly input: BenchInput;
  /** @default the engine's (the core count) */
  readonly threads?: number;
  /** Outputs in input order. @default false */
  readonly ordered?: boolean;
}

/** Called with the engine just before the measured run (for a progress display). */
export type Measuring = (engine: Engine) => void;

/**
 * One setting on a fresh engine: the threads started and the transform
 * loaded by a warm-up over the input's first `2 × concurrency` records (as
 * the built-in workload warms up with twice its concurrency), outside the
 * measured window; then the whole input, measured. In batch mode the batch
 * size is the concurrency. Retries are the engine's defaults, as in
 * `tidemark run`.
 */
export async function runTransformSetting(bench: TransformBench, setting: BenchSetting, measuring?: Measuring): Promise<BenchRun> {
  const records = bench.input.records;
  const engine = new Engine({
    transform: bench.transform,
    ...(bench.threads === undefined ? {} : { threads: bench.threads }),
    concurrency: setting.concurrency,
    mode: setting.mode,
    batchSize: setting.concurrency,
    ordering: bench.ordered === true ? 'ordered' : 'unordered',
  });
  try {
    for await (const record of engine.process(records.slice(0, 2 * setting.concurrency))) void record;
    const run = await measureRun(engine, records, records.length, measuring === undefined ? {} : { measuring });
    const { steady, ...figures } = summarizeRun({ concurrency: setting.concurrency, failed: run.failed, times: run.times });
    return {
      ...setting,
      threads: engine.options.threads,
      messages: run.acked,
      steadyAcked: steady.acked,
      ...figures,
      timeline: run.timeline,
    };
  } finally {
    await engine.close();
  }
}
