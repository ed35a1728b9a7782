import { EventEmitter } from 'node:events';
import type { PartitionId } from '@tidemark/watermark';
import type { Engine } from '../engine.js';
import type { ProcessOptions } from '../engine-types.js';
import { EngineBusyError, EngineClosedError } from '../errors.js';
import type { SourceRecord } from '../message.js';
import type { RunStats } from '../run/run-stats.js';
import { releasedIfUnstarted } from '../run/unstarted.js';
import type { Source } from '../source/source-reader.js';
import type { Family } from './ledger.js';
import { PipelineMetrics } from './pipeline-metrics.js';
import type { PipelineSnapshot } from './pipeline-metrics.js';
import type { PipelineOptions } from './pipeline-options.js';
import { planPipeline } from './pipeline-plan.js';
import { ackOf } from './pipeline-records.js';
import type { PipelineAck, PipelineRecord, PipelineTrace } from './pipeline-records.js';
import { PipelineRun } from './pipeline-run.js';
import { makeStageEngines } from './stage-engines.js';
import type { StageEngines } from './pipeline-run.js';

/** Events of a {@link Pipeline}. */
export interface PipelineEvents {
  /** The pipeline's watermark (the minimum over its stages) rose to `value`. */
  watermark: [value: number];
  /** A source message is done: every record it became was handed over (once per source message). */
  ack: [trace: PipelineAck];
}

/**
 * Stages of engines, one after another: each message moves through them on
 * its own (it goes on as soon as it leaves a stage), a `parallel` stage
 * sends it to every branch at once and joins their results, and a full
 * stage holds back the stages before it, up to the source. Every stage,
 * branch and join is an {@link Engine} with its own pool and settings.
 *
 * @example
 * const pipeline = new Pipeline({ threads: 2, stages: [
 *   { name: 'decode', transform: decodeUrl, concurrency: 16 },
 *   { name: 'features', parallel: { text: { transform: textUrl }, image: { transform: imageUrl } }, join: joinUrl },
 *   { name: 'score', transform: scoreUrl },
 * ] });
 * try {
 *   for await (const record of pipeline.process(source)) console.log(record.stage, record);
 * } finally {
 *   await pipeline.close();
 * }
 */
export class Pipeline extends EventEmitter<PipelineEvents> {
  /** The stages' names, in order. */
  readonly stages: readonly string[];
  readonly #stages: readonly StageEngines[];
  readonly #engines: readonly Engine[];
  readonly #metrics: PipelineMetrics | undefined;
  #run: PipelineRun | undefined;
  #active = false;
  #published = Number.NEGATIVE_INFINITY;
  #closing: Promise<void> | undefined;

  /** @throws {InvalidOptionError} naming the option's path in the pipeline's options (`stages[1].parallel.text.concurrency`). */
  constructor(options: PipelineOptions) {
    super();
    const plan = planPipeline(options);
    const metricsOption = options.metrics;
    this.#metrics = metricsOption === undefined || metricsOption === false ? undefined : new PipelineMetrics(metricsOption, () => this.#snapshot());
    const { stages, parts } = makeStageEngines(plan, this.#metrics === undefined ? undefined : (stage, branch) => (this.#metrics as PipelineMetrics).registryFor(stage, branch));
    this.#stages = stages;
    this.#engines = parts.map(({ engine }) => engine);
    this.stages = plan.map((stage) => stage.name);
    for (const { stage, part, engine } of parts) engine.on('ack', (trace) => this.#run?.acked(stage, part, trace));
    this.#head.on('watermark', () => this.#changed());
    this.#metrics?.register();
  }

  /**
   * Run every message of `source` through the stages. Yields each output of
   * the last stage and each failed record of any stage, with the source
   * message's `offset`, `key`, `eventTime` and the `stage` that produced it.
   * A source message is done (an `ack` event) once every record it became
   * was handed over: the consumer asked for the record after its last.
   * Aborting `signal` stops reading the source; what is in flight goes on
   * through the stages and is still yielded. One run at a time: after a
   * consumer that left early, the stages' engines first wind down what they
   * held (until then a new run throws `EngineBusyError`).
   *
   * @throws {EngineClosedError} after `close()`.
   * @throws {EngineBusyError} while another run is active.
   * @throws {TransformLoadError} (on a record) when a stage's module cannot be used.
   */
  process<T = unknown>(source: Source<SourceRecord>, options: ProcessOptions = {}): AsyncGenerator<PipelineRecord<T>, void, undefined> {
    if (this.#closing !== undefined) throw new EngineClosedError();
    if (this.#active) throw new EngineBusyError();
    const run = new PipelineRun(source, this.#stages, options.signal, {
      done: (family) => this.#done(run, family),
      changed: () => this.#changed(),
    });
    this.#run = run;
    this.#active = true;
    this.#published = Number.NEGATIVE_INFINITY;
    const finished = (): void => {
      if (this.#run === run) this.#active = false;
    };
    return releasedIfUnstarted(this.#records(run, finished), () => {
      run.release();
      finished();
    }) as AsyncGenerator<PipelineRecord<T>, void, undefined>;
  }

  async *#records(run: PipelineRun, finished: () => void): AsyncGenerator<PipelineRecord, void, undefined> {
    try {
      yield* run.records();
    } finally {
      finished();
    }
  }

  /** The pipeline's watermark: the minimum over its stages (of the current or last run). */
  get watermark(): number {
    return this.#published;
  }

  /**
   * Each stage's watermark, carried stage to stage: the first stage's is its
   * engine's; a later stage's is the lowest input watermark of the source
   * messages it holds, and no higher than the stage before's. The pipeline's
   * {@link watermark} is the last one (their minimum), published only when it
   * rises.
   */
  stageWatermarks(): Map<string, number> {
    const head = this.#head.watermark;
    const lowest = this.stages.map(() => Number.POSITIVE_INFINITY);
    for (const { stage, family } of this.#run?.ledger.items() ?? []) {
      // A message whose first stage has not acked it yet is under that stage's watermark.
      const watermark = family.head === undefined ? head : family.watermark;
      if (watermark < (lowest[stage] as number)) lowest[stage] = watermark;
    }
    const watermarks = new Map<string, number>();
    let carried = head;
    this.stages.forEach((name, index) => {
      if (index > 0) carried = Math.min(carried, lowest[index] as number);
      watermarks.set(name, carried);
    });
    return watermarks;
  }

  /** Source messages read and not yet done. */
  get inFlight(): number {
    return this.#head.inFlight + (this.#run?.ledger.size ?? 0);
  }

  /**
   * The lowest source offset not done (or one past the highest read when
   * every message is): where a restart resumes without loss.
   */
  get committedOffset(): number {
    return Math.min(this.#head.committedOffset, this.#run?.ledger.lowestOffsets().lowest ?? Number.POSITIVE_INFINITY);
  }

  /** {@link committedOffset} per partition of a partitioned source. */
  get committedOffsets(): ReadonlyMap<PartitionId, number> {
    const committed = new Map(this.#head.committedOffsets);
    const lowest = this.#run?.ledger.lowestOffsets().partitions ?? new Map<PartitionId, number>();
    for (const [partition, offset] of lowest) if (!(offset >= (committed.get(partition) ?? Number.POSITIVE_INFINITY))) committed.set(partition, offset);
    return committed;
  }

  /**
   * Counters of the current (or last) run, over source messages: `read` and
   * `late` by the first stage, `emitted` and `failed` the records handed
   * over, `acked` the source messages done (`dropped` those a full buffer
   * dropped), `retried` the retries of every stage.
   */
  get stats(): Readonly<RunStats> | undefined {
    const run = this.#run;
    const head = this.#head.stats;
    if (run === undefined || head === undefined) return undefined;
    const retried = this.#engines.reduce((sum, engine) => sum + (engine.stats?.retried ?? 0), 0);
    const tooLate = this.#engines.reduce((sum, engine) => sum + (engine.stats?.tooLate ?? 0), 0);
    return { read: head.read, emitted: run.emitted, acked: run.done, failed: run.failed, late: head.late, retried, dropped: run.dropped, tooLate };
  }

  /** Messages at the workers of every stage now. */
  get processing(): number {
    return this.#engines.reduce((sum, engine) => sum + engine.processing, 0);
  }

  /** The in-flight targets of every stage's engines, added up. */
  get concurrency(): number {
    return this.#engines.reduce((sum, engine) => sum + engine.concurrency, 0);
  }

  /** For `tidemark run`: a pipeline serves no `/metrics` of its own (register them on your registry with `metrics`). */
  get metricsPort(): Promise<number | undefined> {
    return Promise.resolve(undefined);
  }

  /** Every in-flight message: where it is (its stage's name) and, in a parallel stage, the branches it still waits for. */
  traces(): PipelineTrace[] {
    const name0 = this.stages[0] as string;
    const traces: PipelineTrace[] = this.#head.traces().map((trace) => {
      const { offset, partition, key, eventTime } = trace;
      return { offset, partition, key, eventTime, stage: name0, id: undefined, pending: [], joining: false, failedBranch: undefined, engine: trace };
    });
    for (const item of this.#run?.ledger.items() ?? []) {
      const { offset, partition, key, eventTime } = item.family;
      const stage = this.stages[item.stage] as string;
      const pending = item.pending === undefined ? [] : [...item.pending];
      traces.push({ offset, partition, key, eventTime, stage, id: item.id, pending, joining: item.joining, failedBranch: item.failedBranch, engine: undefined });
    }
    return traces;
  }

  /**
   * Stop reading the source, then close the stages in order: each lets
   * what its workers hold finish (the next stage still takes it while it
   * is open) before it stops them. Messages not through every stage by
   * then are not done: the committed offset stays below them. To finish
   * everything in flight instead, abort the run's `signal` and keep
   * consuming until the records end. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#run?.stop();
      let failure: { readonly error: unknown } | undefined;
      const closing = async (engines: readonly Engine[]): Promise<void> => {
        const results = await Promise.allSettled(engines.map((engine) => engine.close()));
        for (const result of results) if (result.status === 'rejected') failure ??= { error: result.reason };
      };
      for (const stage of this.#stages) {
        if (stage.kind === 'parallel') {
          await closing(stage.branches.map(({ engine }) => engine));
          await closing([stage.join]);
        } else {
          await closing([stage.engine]);
        }
      }
      this.#metrics?.close();
      if (failure !== undefined) throw failure.error;
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  get #head(): Engine {
    return (this.#stages[0] as Exclude<StageEngines, { kind: 'parallel' }>).engine;
  }

  #done(run: PipelineRun, family: Family): void {
    const ack = ackOf(family, this.stages);
    run.done++;
    if (ack.outcome === 'dropped') run.dropped++;
    else if (ack.outcome === 'failed') run.failedMessages++;
    this.emit('ack', ack);
    this.#changed();
  }

  /** Publish the watermark if it rose: the first stage's, or the lowest of the messages that left it. */
  #changed(): void {
    const run = this.#run;
    if (run === undefined) return;
    const watermark = Math.min(this.#head.watermark, run.ledger.lowestWatermark);
    if (!(watermark > this.#published)) return;
    this.#published = watermark;
    this.emit('watermark', watermark);
  }

  #snapshot(): PipelineSnapshot {
    const run = this.#run;
    const acked = run?.done ?? 0;
    const failed = run?.failedMessages ?? 0;
    const dropped = run?.dropped ?? 0;
    const held = new Map<string, number>();
    for (const [index, count] of run?.held() ?? []) held.set(this.stages[index] as string, count);
    return {
      done: { completed: acked - failed - dropped, failed, dropped },
      inFlight: this.inFlight,
      held,
      watermark: this.#published,
    };
  }
}
