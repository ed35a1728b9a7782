import type { ConcurrencyChange } from '../concurrency/gradient-controller.js';
import { EventEmitter } from 'eventemitter3';
import type { BufferFill, BufferName } from '../buffers/buffer-limit.js';
import { EngineBusyError, EngineClosedError, InvalidOptionError } from '../errors.js';
import type { EngineRecord, SourceRecord } from '../message.js';
import type { ResolvedOptions } from '../options/options.js';
import type { MessageTrace } from '../run/message-state.js';
import type { RunStats } from '../run/run-stats.js';
import type { Source } from '../source/source-reader.js';
import { toTransformStream } from '../streams/transform-stream.js';
import type { TransformStreamOptions } from '../streams/transform-stream.js';
import { flatten } from './flatten.js';
import { releasedIfUnstarted } from '../run/unstarted.js';
import type { RemoteStatus, RunSource } from './protocol.js';
import { RemoteRun } from './remote-run.js';
import type { RemoteRunEvents } from './remote-run.js';
import type { RemoteCall } from './remote-call.js';

/** Events of a {@link RemoteEngine}: the same as an `Engine`'s. */
export interface RemoteEngineEvents {
  watermark: [value: number];
  ack: [trace: MessageTrace];
  /** The far engine's adaptive controller moved its target (as the far side's answers arrive, during a run). */
  concurrency: [change: ConcurrencyChange];
}

/** A source on the far side: an NDJSON file, or a module whose default export is an iterable (or a function of `args` returning one). */
export type FarSource = { readonly ndjson: string; readonly from?: number } | { readonly module: string; readonly args?: unknown };

/** Options of {@link RemoteEngine.process}. */
export interface RemoteProcessOptions {
  /** Aborting stops reading the source on the far side; what is in flight is still handed over. */
  signal?: AbortSignal;
  /** The most messages whose records the far side sends per answer: the host's credit. @default 1024 */
  credit?: number;
}

/** Options of {@link RemoteEngine.processChunks}. */
export interface RemoteChunkOptions extends RemoteProcessOptions {
  /** The most messages whose records one chunk holds (the credit of each pull). @default 1024 */
  size?: number;
}

/**
 * An engine on the far side of a connection (a worker thread, another
 * process, another runtime), driven as an in-process `Engine` is: the same
 * options, records, errors and events. Records cross in answers to pulls
 * of at most `credit` messages each, and a chunk's messages are acked when
 * the consumer asks for more, so a slow consumer holds the source back as it
 * does in-process. Getters give the far engine's state as of its last
 * answer; `status()` asks for it now.
 */
export class RemoteEngine extends EventEmitter<RemoteEngineEvents> {
  /** The far engine's options with every default filled in (the transform as a URL string). */
  readonly options: ResolvedOptions;
  readonly #remote: RemoteCall;
  readonly #id: number;
  #status: RemoteStatus | undefined;
  #run: RemoteRun | undefined;
  /** The largest message the connection carries, when the far side said. */
  readonly #maxMessageBytes: number | undefined;
  #active = false;
  #closing: Promise<void> | undefined;

  /** @internal use `connectEngine` or `spawnEngine`. */
  constructor(remote: RemoteCall, id: number, options: ResolvedOptions, maxMessageBytes?: number) {
    super();
    this.#maxMessageBytes = maxMessageBytes;
    this.#remote = remote;
    this.#id = id;
    this.options = options;
  }

  /** The output watermark, as of the far side's last answer. */
  get watermark(): number {
    return this.#status?.watermark ?? Number.NEGATIVE_INFINITY;
  }

  get stats(): Readonly<RunStats> | undefined {
    return this.#status?.stats;
  }

  get committedOffset(): number {
    return this.#status?.committedOffset ?? 0;
  }

  get inFlight(): number {
    return this.#status?.inFlight ?? 0;
  }

  get processing(): number {
    return this.#status?.processing ?? 0;
  }

  get concurrency(): number {
    return this.#status?.concurrency ?? this.options.adaptive?.initial ?? this.options.concurrency;
  }

  get buffers(): Readonly<Record<BufferName, BufferFill>> | undefined {
    return this.#status?.buffers;
  }

  /** The far engine's state now. */
  async status(): Promise<RemoteStatus> {
    this.#status = await this.#remote.call('status', this.#id);
    return this.#status;
  }

  /**
   * Run every message of `source` through the far engine. `source` is a
   * host-side (async) iterable, pulled across in batches as the far side has
   * room, or a {@link FarSource} read on the far side. Yields the records
   * `Engine.process` yields, failed records' errors with their class.
   *
   * @throws {EngineClosedError} after `close()`. @throws {EngineBusyError} while another run is active.
   */
  process<T = unknown>(source: Source<SourceRecord> | FarSource, options: RemoteProcessOptions = {}): AsyncGenerator<EngineRecord<T>, void, undefined> {
    const credit = checkCredit('credit', options.credit);
    this.#claim();
    return releasedIfUnstarted(flatten(this.#chunks<T>(source, options.signal, credit, false)), this.#release);
  }

  /** {@link process} in chunks, as `Engine.processChunks`: each chunk is one answer of the far side. */
  processChunks<T = unknown>(
    source: Source<SourceRecord | readonly SourceRecord[]> | FarSource,
    options: RemoteChunkOptions = {},
  ): AsyncGenerator<EngineRecord<T>[], void, undefined> {
    const credit = checkCredit('size', options.size ?? options.credit);
    this.#claim();
    return releasedIfUnstarted(this.#chunks<T>(source, options.signal, credit, true), this.#release);
  }

  /** A WHATWG `TransformStream` of source records to records, for `readable.pipeThrough(engine.transformStream())`. */
  transformStream<T = unknown>(options: TransformStreamOptions = {}): TransformStream<SourceRecord, EngineRecord<T>> {
    return toTransformStream((source, { signal }) => this.process<T>(source, { signal }), options);
  }

  /** Drain the current run, close the far engine and release the connection. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      // As in-process: stop reading, and what is in flight stays available to the iterator.
      await this.#run?.drain();
      try {
        await this.#remote.call('close', this.#id);
      } catch {
        // the far side is already gone: nothing is left to drain
      }
      this.#remote.release();
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** A run returned before it started gives its claim back. */
  readonly #release = (): void => {
    this.#active = false;
  };

  /** How the current run reports what the far side answered. */
  readonly #runEvents: RemoteRunEvents = {
    wantsAcks: () => this.listenerCount('ack') > 0,
    status: (status) => {
      this.#status = status;
    },
    watermark: (value) => this.emit('watermark', value),
    ack: (trace) => this.emit('ack', trace),
    concurrency: (change) => this.emit('concurrency', change),
  };

  #claim(): void {
    if (this.#closing !== undefined) throw new EngineClosedError();
    if (this.#active) throw new EngineBusyError();
    this.#active = true;
  }

  async *#chunks<T>(
    source: Source<SourceRecord | readonly SourceRecord[]> | FarSource,
    signal: AbortSignal | undefined,
    credit: number,
    chunked: boolean,
  ): AsyncGenerator<EngineRecord<T>[], void, undefined> {
    const run = new RemoteRun(this.#remote, this.#id, this.#runEvents, this.#maxMessageBytes);
    this.#run = run;
    try {
      const far = !isIterable(source);
      yield* run.chunks(far ? farSource(source) : source, far, signal, credit, chunked) as AsyncGenerator<EngineRecord<T>[], void, undefined>;
    } finally {
      if (this.#run === run) this.#run = undefined;
      this.#active = false;
    }
  }
}

function isIterable(source: unknown): boolean {
  return source !== null && typeof source === 'object' && (Symbol.iterator in source || Symbol.asyncIterator in source);
}

function farSource(source: unknown): RunSource {
  const far = source as { ndjson?: unknown; module?: unknown } | null;
  if (far !== null && typeof far === 'object' && (typeof far.ndjson === 'string' || typeof far.module === 'string')) return far as RunSource;
  throw new InvalidOptionError('source', 'an Iterable, an AsyncIterable, or { ndjson } or { module } on the far side', source);
}

function checkCredit(option: string, credit: number | undefined): number {
  const value = credit ?? 1024;
  if (!Number.isSafeInteger(value) || value < 1 || value > 65_536) throw new InvalidOptionError(option, 'an integer from 1 to 65536', value);
  return value;
}
