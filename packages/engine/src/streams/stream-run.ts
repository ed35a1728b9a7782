import { EngineClosedError } from '../errors.js';
import type { EngineRecord, SourceRecord } from '../message.js';
import { SourceChannel } from './source-channel.js';

/**
 * What the stream adapters drive: `engine.process`, or a remote engine's.
 * It reads `source` while it has room, stops reading when `signal` aborts
 * (what is in flight is still yielded), and ends its run when its iterator
 * is returned.
 */
export type ProcessFunction<T = unknown> = (
  source: AsyncIterable<SourceRecord>,
  options: { signal: AbortSignal },
) => AsyncIterable<EngineRecord<T>>;

/** Options of `engine.stream()` and `engine.transformStream()`. */
export interface StreamOptions {
  /**
   * Aborting stops reading the source, as with `process()`: what is in
   * flight is still handed on, then the stream fails with the abort's
   * reason if the source had not ended.
   */
  signal?: AbortSignal;
}

const done: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * One run driven by a stream from both ends: its writable side feeds the
 * source through a {@link SourceChannel}, its readable side pulls records.
 * The run starts at the first pull, so that a stream torn down before it
 * is read leaves the engine as it found it. No Node built-ins: it is shared
 * by the Node Duplex and the WHATWG adapter, which only map their stream's
 * calls onto it.
 */
export class StreamRun<T> {
  readonly #process: ProcessFunction<T>;
  readonly #source = new SourceChannel<SourceRecord>();
  /** The run's signal: the caller's abort, or a teardown. */
  readonly #stop = new AbortController();
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = (): void => this.#stop.abort(this.#signal?.reason);
  #records: AsyncIterator<EngineRecord<T>> | undefined;
  /** Set once the run is over; `failure` when it failed or was torn down. */
  #end: { readonly failure?: { readonly error: unknown } } | undefined;
  readonly #over: Promise<void>;
  #markOver: () => void = () => {};
  #teardown: Promise<void> | undefined;

  constructor(process: ProcessFunction<T>, options: StreamOptions) {
    this.#process = process;
    this.#over = new Promise((resolve) => {
      this.#markOver = resolve;
    });
    const signal = options.signal;
    this.#signal = signal;
    if (signal?.aborted === true) this.#onAbort();
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /**
   * Hand `item` to the run; resolves once the engine took it, so a writer
   * that waits is held back while the engine has no room. If the run stops
   * reading first (an abort, `close()`, a failure, a teardown), rejects
   * once the run is over, with its error, the abort's reason, or
   * `EngineClosedError`.
   */
  async write(item: SourceRecord): Promise<void> {
    if (await this.#source.put(item)) return;
    await this.#over;
    throw this.#refusal();
  }

  /** The source ended. */
  end(): void {
    this.#source.end();
  }

  /**
   * The run's next record (starting the run on the first call), or done
   * once it is over or torn down. Rejects with the run's error. One call
   * at a time.
   */
  async next(): Promise<IteratorResult<EngineRecord<T>, undefined>> {
    if (this.#end !== undefined) return done;
    let result: IteratorResult<EngineRecord<T>>;
    try {
      // Created and started in one step: an async generator returned before
      // its first next() never runs its `finally`, and the run would stay active.
      this.#records ??= this.#process(this.#source, { signal: this.#stop.signal })[Symbol.asyncIterator]();
      result = await this.#records.next();
    } catch (error) {
      if (this.#teardown !== undefined) return done;
      this.#finish({ error });
      throw error;
    }
    if (this.#teardown !== undefined) return done;
    if (result.done === true) {
      this.#finish(undefined);
      return done;
    }
    return result;
  }

  /**
   * End the run now, for `reason`: stop reading, drop what is in flight and
   * return the run's iterator. Resolves once the engine may run again:
   * at once, or when the record a pending pull waits for comes.
   */
  teardown(reason: unknown): Promise<void> {
    this.#teardown ??= (async () => {
      this.#finish({ error: reason });
      this.#stop.abort(reason);
      await this.#records?.return?.().catch(() => {});
    })();
    return this.#teardown;
  }

  #finish(failure: { readonly error: unknown } | undefined): void {
    if (this.#end !== undefined) return;
    this.#end = failure === undefined ? {} : { failure };
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#source.close();
    this.#markOver();
  }

  /** Why a write the run did not take failed. */
  #refusal(): unknown {
    const failure = this.#end?.failure;
    if (failure !== undefined) return failure.error;
    if (this.#signal?.aborted === true) return this.#signal.reason;
    return new EngineClosedError();
  }
}
