import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { PartitionId } from '@tidemark/watermark';
import { emptyFills } from './buffers/buffer-limit.js';
import type { BufferFill, BufferName } from './buffers/buffer-limit.js';
import { EngineBusyError, EngineClosedError, InvalidOptionError } from './errors.js';
import type { EngineRecord, SourceRecord } from './message.js';
import type { MessageTrace } from './run/message-state.js';
import { resolveOptions } from './options/resolve-options.js';
import type { EngineOptions, ResolvedOptions } from './options/options.js';
import { chunks } from './run/chunk-iterator.js';
import { RecordIterator } from './run/record-iterator.js';
import { Run } from './run/run.js';
import { untilStopped } from './run/until-stopped.js';
import type { ChunkOptions, EngineEvents, ProcessOptions } from './engine-types.js';
import { releasedIfUnstarted } from './run/unstarted.js';
import type { RunHooks } from './run/run-hooks.js';
import { addStats, emptyStats } from './run/run-stats.js';
import type { RunStats } from './run/run-stats.js';
import { turnClock } from './run/turn-clock.js';
import type { Completion } from './transport/transport.js';
import type { Source } from './source/source-reader.js';
import { AdaptiveConcurrency } from './concurrency/adaptive-concurrency.js';
import { EngineMetrics } from './metrics/engine-metrics.js';
import type { EngineSnapshot } from './metrics/engine-metrics.js';
import { MessageIds } from './run/message-ids.js';
import { RingTransport } from './transport/ring-transport.js';
import { TaskTransport } from './transport/task-transport.js';
import { toDuplex } from './streams/engine-duplex.js';
import { toTransformStream } from './streams/transform-stream.js';
import type { Transport } from './transport/transport.js';

export type { ChunkOptions, EngineEvents, ProcessOptions } from './engine-types.js';

/**
 * Runs a transform module over a stream on a pool of worker threads, with a
 * constant number of messages in flight, completions forwarded at once, and
 * a watermark that never makes data late.
 *
 * @example
 * const engine = new Engine({ transform: new URL('./transform.js', import.meta.url) });
 * try {
 *   for await (const out of engine.process([{ value: 1 }, { value: 2 }])) console.log(out);
 * } finally {
 *   await engine.close(); // or `await using engine = …` where the runtime has it (Node 24+)
 * }
 */
export class Engine extends EventEmitter<EngineEvents> {
  /** The options with every default filled in. */
  readonly options: ResolvedOptions;
  readonly #transport: Transport;
  /** The adaptive controller, with `concurrency: { min, max }`. */
  readonly #adaptive: AdaptiveConcurrency | undefined;
  #run: Run | undefined;
  #active = false;
  #closing: Promise<void> | undefined;
  /** Resolves when `close()` is called. */
  readonly #closed: Promise<void>;
  readonly #markClosed: () => void;
  readonly #metrics: EngineMetrics | undefined;
  readonly #listening: Promise<number | undefined>;
  /** Counters of the runs before the current one, for the metrics' totals. */
  readonly #before: RunStats = emptyStats();
  /** Message ids, shared by all runs: a late completion of an earlier run never names one of the current run's messages. */
  readonly #ids = new MessageIds();
  /** The transport's one completion handler: to the current run, timed once per batch of completions. */
  readonly #report = (completion: Completion): void => {
    this.#run?.complete(completion, turnClock.now());
  };

  /** @throws {InvalidOptionError} when an option is missing, of the wrong type or out of range. */
  constructor(options: EngineOptions) {
    super();
    let markClosed = (): void => {};
    this.#closed = new Promise((resolve) => {
      markClosed = resolve;
    });
    this.#markClosed = markClosed;
    this.options = resolveOptions(options);
    const transport = this.options.transport === 'ring' ? new RingTransport(this.options) : new TaskTransport(this.options);
    this.#transport = transport;
    const adaptive = this.options.adaptive;
    this.#adaptive = adaptive && new AdaptiveConcurrency(adaptive, transport, (change) => this.emit('concurrency', change));
    const metrics = this.options.metrics;
    this.#metrics = metrics === undefined ? undefined : new EngineMetrics(metrics, () => this.#snapshot());
    const port = metrics?.port;
    this.#listening = port === undefined ? Promise.resolve(undefined) : (this.#metrics as EngineMetrics).listen(port);
    this.#listening.catch(() => {}); // reported by the first process() call
  }

  /**
   * The port `/metrics` is served on (with `metrics: { port }`; useful with
   * port 0), or undefined without one. Rejects if the port could not be bound.
   */
  get metricsPort(): Promise<number | undefined> {
    return this.#listening;
  }

  /**
   * Run every message of `source` through the transform. Yields an
   * {@link Output} per value the transform emits and a {@link FailedRecord}
   * per message that failed for good; a message is acked when the consumer
   * asks for the record after its last one. One run at a time per engine.
   *
   * @throws {EngineClosedError} after `close()`.
   * @throws {EngineBusyError} while another run is active.
   * @throws {TransformLoadError} (on the first record) when the transform module cannot be used.
   */
  process<T = unknown>(source: Source<SourceRecord>, options: ProcessOptions = {}): AsyncGenerator<EngineRecord<T>, void, undefined> {
    const { run, hooks } = this.#begin(source, options.signal, false);
    return new RecordIterator(run, hooks) as AsyncGenerator<EngineRecord<T>, void, undefined>;
  }

  /**
   * {@link process} with records in chunks, for consumers that handle many
   * at once (as KafkaJS's `eachBatch` beside `eachMessage`): each chunk holds
   * every record ready when the consumer asks, from at most `size` messages,
   * and its messages are acked together when the consumer asks for the next
   * chunk. The source may give chunks too: an array it yields is read as that
   * many records.
   *
   * @throws {InvalidOptionError} when `size` is not an integer from 1 up.
   * @throws the same as {@link process}.
   */
  processChunks<T = unknown>(
    source: Source<SourceRecord | readonly SourceRecord[]>,
    options: ChunkOptions = {},
  ): AsyncGenerator<EngineRecord<T>[], void, undefined> {
    const size = options.size ?? 1024;
    if (!Number.isSafeInteger(size) || size < 1) throw new InvalidOptionError('size', 'an integer from 1 up', size);
    const { run, hooks } = this.#begin(source, options.signal, options.sourceChunks ?? true);
    return releasedIfUnstarted(chunks(run, hooks, size, options.pipelined === true), () => run.close(hooks)) as AsyncGenerator<EngineRecord<T>[], void, undefined>;
  }

  /**
   * {@link process} as a Node object-mode `Duplex`, for
   * `stream.pipeline(src, engine.stream(), dst)`: write source records
   * (`{ value, eventTime?, key?, … }`), read the records `process()` yields.
   * A write completes once the engine took the item, and records are taken
   * only while the readable side has room, so a slow `dst` holds the source
   * back. A run error (such as `TransformLoadError`) destroys the duplex
   * with it; destroying it (as a pipeline does when `src` fails) ends the
   * run, and its `close` comes once the engine may run again. The run
   * starts at the first read; `EngineBusyError` and `EngineClosedError`
   * come as the stream's error.
   *
   * @example
   * await pipeline(Readable.from(items), engine.stream(), new Writable({ objectMode: true, write(record, _, done) { … } }));
   */
  stream(options: ProcessOptions = {}): Duplex {
    return toDuplex((source, { signal }) => this.process(source, { signal }), options);
  }

  /**
   * {@link process} as a WHATWG `TransformStream`-shaped `{ readable, writable }`
   * pair, for `readable.pipeThrough(engine.transformStream())`, with the same
   * backpressure: a record is taken only when a reader asks for one, and a
   * write resolves once the engine took the item. A run error errors both
   * sides; aborting `writable` or cancelling `readable` ends the run (the
   * cancel resolves once the engine may run again). The run starts at the
   * first read.
   *
   * @example
   * await messages.pipeThrough(engine.transformStream()).pipeTo(new WritableStream({ write(record) { … } }));
   */
  transformStream<T = unknown>(options: ProcessOptions = {}): TransformStream<SourceRecord, EngineRecord<T>> {
    return toTransformStream((source, { signal }) => this.process<T>(source, { signal }), options);
  }

  /** A new run over `source`, current from now on. */
  #begin(source: Source<SourceRecord | readonly SourceRecord[]>, signal: AbortSignal | undefined, chunked: boolean): { run: Run; hooks: RunHooks } {
    if (this.#closing !== undefined) throw new EngineClosedError();
    if (this.#active) throw new EngineBusyError();
    const metrics = this.#metrics;
    const events = {
      watermark: (value: number) => this.emit('watermark', value),
      ack: (trace: MessageTrace) => {
        metrics?.observe(trace);
        this.emit('ack', trace);
      },
    };
    const run = new Run(source, this.options, this.#transport, events, { ids: this.#ids, chunked, adaptive: this.#adaptive });
    this.#addTotals(this.#run);
    this.#run = run;
    this.#active = true;
    const hooks: RunHooks = {
      start: async () => {
        await this.#listening;
        // Aborting or closing while the module loads ends the run at once
        // (with nothing read); the load itself has its own deadline.
        await untilStopped(this.#transport.start(this.#report), signal, this.#closed);
      },
      signal,
      finished: () => {
        if (this.#run === run) this.#active = false;
      },
    };
    return { run, hooks };
  }

  /** The output watermark of the current (or last) run. */
  get watermark(): number {
    return this.#run?.tracker.watermark ?? Number.NEGATIVE_INFINITY;
  }

  /** Counters of the current (or last) run. */
  get stats(): Readonly<RunStats> | undefined {
    return this.#run?.tracker.stats;
  }

  /**
   * The committed position of the current (or last) run: the lowest offset
   * still in flight, or one past the highest offset read when nothing is.
   * A restart that resumes the source here loses nothing.
   */
  get committedOffset(): number {
    return this.#run?.tracker.committedOffset ?? 0;
  }

  /**
   * Per partition of a `partitioned()` source (or records that name their
   * `partition`), where a restart of that partition may resume without
   * loss: its lowest offset in flight, or one past its highest offset read.
   */
  get committedOffsets(): ReadonlyMap<PartitionId, number> {
    return this.#run?.tracker.committedOffsets() ?? new Map();
  }

  /** The in-flight target now: `concurrency`, or where the adaptive controller has it (each change is a `concurrency` event). */
  get concurrency(): number {
    return this.#adaptive?.target ?? this.options.concurrency;
  }

  /** Messages at the workers right now (the actual parallelism). */
  get processing(): number {
    return this.#run?.processing ?? 0;
  }

  /** Messages read and not yet acked. */
  get inFlight(): number {
    return this.#run?.tracker.size ?? 0;
  }

  /**
   * Fill and capacity of the input, processing and output buffers (in
   * messages, and in bytes for a buffer whose sizes are measured).
   */
  get buffers(): Readonly<Record<BufferName, BufferFill>> {
    return this.#run?.buffers ?? emptyFills(this.options.buffers);
  }

  /** The tracked state of every in-flight message, oldest first: a copy of each as it is now. */
  traces(): MessageTrace[] {
    return this.#run?.tracker.traces() ?? [];
  }

  /**
   * Stop reading, let what is in flight at the workers finish (its records
   * stay available to the iterator), then stop the workers. Idempotent.
   */
  close(): Promise<void> {
    this.#markClosed();
    this.#closing ??= (async () => {
      const run = this.#run;
      if (run !== undefined && this.#active) {
        run.stop();
        await run.drained();
      }
      await this.#transport.close();
      await this.#metrics?.close();
    })();
    return this.#closing;
  }

  #addTotals(run: Run | undefined): void {
    if (run !== undefined) addStats(this.#before, run.tracker.stats);
  }

  #snapshot(): EngineSnapshot {
    const run = this.#run;
    const totals = addStats(emptyStats(), this.#before);
    if (run !== undefined) addStats(totals, run.tracker.stats);
    return {
      totals,
      inFlight: run?.tracker.size ?? 0,
      processing: run?.processing ?? 0,
      concurrency: this.concurrency,
      buffers: this.buffers,
      busyWorkers: this.#transport.busyWorkers,
      workers: this.options.threads,
      restarts: this.#transport.restarts,
      watermark: this.watermark,
      oldestReadAt: run?.tracker.oldestReadAt,
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
