import type { ConcurrencyChange } from '../concurrency/gradient-controller.js';
import type { EngineRecord, SourceRecord } from '../message.js';
import type { MessageTrace } from '../run/message-state.js';
import type { Source } from '../source/source-reader.js';
import { feedItems } from './feed-items.js';
import { BATCH_BYTES, HostFeed } from './host-feed.js';
import type { RemoteStatus, RunRequest, RunSource, TakeResult } from './protocol.js';
import { columnCount, fromColumns } from './record-columns.js';
import type { RemoteCall } from './remote-call.js';
import { fromWireError } from './wire-error.js';

/** What a run tells its engine as answers arrive. */
export interface RemoteRunEvents {
  /** Whether anyone listens for ack traces now. */
  wantsAcks(): boolean;
  status(status: RemoteStatus): void;
  watermark(value: number): void;
  ack(trace: MessageTrace): void;
  concurrency(change: ConcurrencyChange): void;
}

/**
 * One run of a remote engine, on the host: starts it on the far side, feeds
 * a host-side source, and pulls answers, the next one asked for as soon as
 * one arrives (the far side acks a chunk at the ask after next). `drain()`
 * (the engine's `close()`) stops reading and takes every remaining answer
 * into a queue, so that the records in flight stay available to the
 * iterator after the connection is gone, as in-process.
 */
export class RemoteRun {
  readonly #remote: RemoteCall;
  readonly #engine: number;
  readonly #events: RemoteRunEvents;
  readonly #batchBytes: number;
  #id: number | undefined;
  #feed: HostFeed | undefined;
  /** The host feed failed (it could not send): the run ends with this. */
  #feedError: unknown;
  #next: Promise<TakeResult> | undefined;
  #watermark = Number.NEGATIVE_INFINITY;
  #draining: Promise<void> | undefined;
  readonly #queue: TakeResult[] = [];
  #drainError: unknown;
  #over = false;

  /** `maxMessageBytes`: the largest message the connection carries; a feed batch stays at a quarter of it. */
  constructor(remote: RemoteCall, engine: number, events: RemoteRunEvents, maxMessageBytes?: number) {
    this.#batchBytes = Math.min(BATCH_BYTES, Math.max(1024, Math.floor((maxMessageBytes ?? Infinity) / 4)));
    this.#remote = remote;
    this.#engine = engine;
    this.#events = events;
  }

  /** The run's records in chunks, as the far side answers. */
  async *chunks(source: Source<SourceRecord | readonly SourceRecord[]> | RunSource, far: boolean, signal: AbortSignal | undefined, credit: number, chunked: boolean): AsyncGenerator<EngineRecord[], void, undefined> {
    const onAbort = (): void => this.abort();
    try {
      const request: RunRequest = { source: far ? (source as RunSource) : { host: true }, credit, acks: this.#events.wantsAcks(), chunked };
      const started = await this.#remote.call('start', this.#engine, request);
      const id = (this.#id = started.run);
      if (!far) {
        const feed = new HostFeed(source as Source<SourceRecord>, (items, end) => feedItems(this.#remote, id, items, end), started.window, chunked, this.#batchBytes);
        this.#feed = feed;
        feed.done.catch((error: unknown) => {
          // It could not send: end the far run (it would wait for items for ever) and the run with this error.
          this.#feedError = error;
          this.abort();
        });
      }
      if (signal?.aborted === true) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#next = this.#take();
      for (;;) {
        const answer = await this.#answer();
        this.#events.status(answer.status);
        for (const trace of answer.acks ?? []) this.#events.ack(trace);
        for (const change of answer.concurrency ?? []) this.#events.concurrency(change);
        if (answer.watermark !== undefined && answer.watermark > this.#watermark) {
          this.#watermark = answer.watermark;
          this.#events.watermark(answer.watermark);
        }
        if (answer.done) {
          this.#over = true;
          // The host source's own error, whatever it is, as in-process; else the far side's, class and all.
          // eslint-disable-next-line @typescript-eslint/only-throw-error
          if (answer.error !== undefined) throw this.#feed?.sourceError ?? fromWireError(answer.error);
          // eslint-disable-next-line @typescript-eslint/only-throw-error
          if (this.#feedError !== undefined) throw this.#feedError;
          return;
        }
        // Ask for the next answer now, while the consumer works on this one: that ask acks the answer before it.
        if (this.#draining === undefined) this.#next = this.#take();
        if (columnCount(answer.records) > 0) yield fromColumns(answer.records);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#feed?.stop();
      if (!this.#over && this.#id !== undefined && this.#draining === undefined) await this.#remote.call('leave', this.#id).catch(() => {});
    }
  }

  /** Stop reading: the host source and the far side's. What is in flight is still handed over. */
  abort(): void {
    this.#feed?.stop();
    if (this.#id !== undefined) this.#remote.call('abort', this.#id).catch(() => {});
  }

  /** Stop reading, and take every answer left into the queue (the engine closes next). */
  drain(): Promise<void> {
    this.#draining ??= (async () => {
      this.abort();
      try {
        let next = this.#next;
        while (next !== undefined) {
          const answer = await next;
          this.#queue.push(answer);
          next = answer.done ? undefined : this.#take();
        }
      } catch (error) {
        this.#drainError = error;
      }
    })();
    return this.#draining;
  }

  /** The next answer: from the queue once a drain began (the drain takes the one this run awaited too). */
  async #answer(): Promise<TakeResult> {
    for (;;) {
      if (this.#draining !== undefined) {
        await this.#draining;
        const queued = this.#queue.shift();
        if (queued !== undefined) return queued;
        throw this.#drainError;
      }
      const answer = await (this.#next as Promise<TakeResult>);
      if (this.#draining === undefined) return answer;
    }
  }

  #take(): Promise<TakeResult> {
    const answer = this.#remote.call('take', this.#id as number, this.#events.wantsAcks());
    answer.catch(() => {}); // awaited by the run, unless the consumer leaves first
    return answer;
  }
}
