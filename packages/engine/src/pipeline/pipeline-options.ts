import type { AnyRegistry, BufferOptions, EngineOptions } from '../options/options.js';

/** Settings every kind of stage (and a branch) may give its engine. */
export interface StageEngineSettings {
  /** The engine's in-flight target. @default the engine's (`threads * 4`) */
  concurrency?: number;
  /** The engine's buffers. A stage's output buffer feeds the next stage's input. @default the engine's */
  buffers?: { input?: BufferOptions; processing?: BufferOptions; output?: BufferOptions };
  /** Worker threads of this stage's engine (its own pool). @default the pipeline's `threads` */
  threads?: number;
}

/**
 * A stage that runs one transform per message: each output becomes a
 * message of the next stage (`drop()` none, `fanOut(...)` several).
 */
export interface TransformStage extends StageEngineSettings {
  /** Unique among the stages: records, traces and metrics carry it. */
  name: string;
  /** The transform module, as `EngineOptions.transform`. */
  transform: URL | string;
}

/** One branch of a {@link ParallelStage}: an engine of its own. */
export interface BranchOptions extends StageEngineSettings {
  transform: URL | string;
}

/**
 * A stage that sends each message to every branch at once, then, once all
 * of them are in, runs `join` (a transform, on workers) on
 * `{ [branch]: value }`: a branch's single output as it is, or an array of
 * its outputs when it emitted none (`drop()`) or several (`fanOut()`). A
 * branch that fails for good fails the message (a failed record naming the
 * stage and branch, a {@link BranchFailedError}); the join does not run.
 * `concurrency`, `buffers` and `threads` are the join engine's; a branch's
 * default to them.
 */
export interface ParallelStage extends StageEngineSettings {
  name: string;
  /** The branches by name (at least one). */
  parallel: Record<string, BranchOptions>;
  /** The join module: a transform whose value is `{ [branch]: value }`. */
  join: URL | string;
  /**
   * Messages this stage holds at most, from the moment they are sent to the
   * branches until the join took them: what bounds the results waiting on a
   * slow branch. When it is reached the stage reads nothing more.
   * @default the largest branch's in-flight limit (its three buffers' message limits added up) plus the join's
   */
  maxPending?: number;
}

/**
 * A windowed reduce (the engine's `reduce`, `window` and `allowedLateness`
 * options); it may only be the last stage, after another. It groups by the source
 * message's `key`, into windows of its event time. A result carries its
 * `key`, `window` and `eventTime` (`window.end - 1`), and the `offset` of
 * the source message of the window's first message to reach the stage; each
 * source message in the window is done once that result was handed over.
 * Its engine reads the stage before's outputs in the order they complete,
 * not in event-time order: give `allowedLateness` room for that reordering
 * (a message past it comes out alone, `late: true`).
 */
export interface ReduceStage {
  name: string;
  /** The reduce module (`{ create, add, result, merge? }`). */
  reduce: URL | string;
  /** `{ tumbling: ms }`, `{ sliding: { size, every } }` or `{ session: { gap } }`. */
  window: unknown;
  /** ms a window stays open past its end for late messages. */
  allowedLateness?: number;
  concurrency?: number;
  threads?: number;
}

/** One stage of a {@link Pipeline}. */
export type StageOptions = TransformStage | ParallelStage | ReduceStage;

/** Options of a {@link Pipeline}. Checked in its constructor. */
export interface PipelineOptions {
  /** The stages, in order (at least one). The first reads the source: it is a transform stage. */
  stages: readonly StageOptions[];
  /** Worker threads of each stage's engine unless the stage says otherwise. @default the engine's */
  threads?: number;
  /**
   * The input watermark, read from the source by the first stage. Each later
   * stage's engine is given the same setting.
   */
  watermark?: EngineOptions['watermark'];
  /** Retries, for every stage. */
  retry?: EngineOptions['retry'];
  /** ms one try may take, in every stage. @default 0 (no limit) */
  timeout?: number;
  /** How messages reach the workers, in every stage. @default 'ring' */
  transport?: 'ring' | 'task';
  /**
   * Prometheus metrics: each stage engine's, with a `pipeline_stage` label
   * (and `branch`: the branch name, or `join`, in a parallel stage), plus the
   * pipeline's own (`tidemark_pipeline_*`). `true` registers them on
   * prom-client's default registry.
   * @default false
   */
  metrics?: boolean | { registry?: AnyRegistry };
  /** `execArgv` of every stage's worker threads. @default [] */
  execArgv?: string[];
  /** `resourceLimits` of every stage's worker threads (a worker past its heap limit dies, and is replaced). @default Node's */
  resourceLimits?: EngineOptions['resourceLimits'];
}
