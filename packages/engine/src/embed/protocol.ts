/**
 * The calls a host makes on the far side, and what comes back. Every call
 * goes host → far side and is answered once, so the protocol needs nothing
 * comlink cannot carry over a plain message channel or a WebSocket: no
 * proxies, no callbacks, no transferred ports (comlink has no WebSocket
 * endpoint, #593, and a proxy nothing holds may be collected mid-call, #692).
 * Records stream as answers to `take`, a pull of at most `credit` messages'
 * records (comlink cannot stream an async iterator, #435); a host-side source
 * streams as `feed` calls, each answered when the far side has room.
 */
import type { ConcurrencyChange } from '../concurrency/gradient-controller.js';
import type { RecordColumns } from './record-columns.js';
import type { ItemColumns } from './item-columns.js';
import type { MessageTrace } from '../run/message-state.js';
import type { RunStats } from '../run/run-stats.js';
import type { BufferFill, BufferName } from '../buffers/buffer-limit.js';
import type { WireError } from './wire-error.js';

/** The protocol's version; `hello` answers it, and a host refuses another. */
export const PROTOCOL = 1;

/** An answer: the value, or the error the call ended with. */
export type Reply<T> = { readonly ok: T; readonly error?: undefined } | { readonly error: WireError };

/** Where a far-side run reads from. */
export type RunSource =
  /** The host feeds it with `feed` calls. */
  | { readonly host: true }
  /** An NDJSON file on the far side, read as `ndjsonSource` reads it. */
  | { readonly ndjson: string; readonly from?: number }
  /** A module on the far side whose default export is an (async) iterable of records, or a function of `args` returning one. */
  | { readonly module: string; readonly args?: unknown };

/** How a host starts a run. */
export interface RunRequest {
  readonly source: RunSource;
  /** The most messages whose records one `take` answer holds. */
  readonly credit: number;
  /** Whether `take` answers carry ack traces. */
  readonly acks: boolean;
  /** Read records as chunks (`processChunks`): an array item of a host source is that many records. */
  readonly chunked: boolean;
}

/** The far engine's state when it answered, for the host's getters. */
export interface RemoteStatus {
  readonly watermark: number;
  readonly committedOffset: number;
  readonly inFlight: number;
  readonly processing: number;
  readonly concurrency: number;
  readonly stats: RunStats | undefined;
  readonly buffers: Readonly<Record<BufferName, BufferFill>>;
}

/** One answer to `take`. */
export interface TakeResult {
  /** The records of at most `credit` messages, as columns; they are acked at the take after next. */
  readonly records: RecordColumns;
  /** The output watermark, when it rose since the last answer. */
  readonly watermark?: number;
  /** The adaptive controller's changes of the in-flight target since the last answer (the latest 64 at most). */
  readonly concurrency?: ConcurrencyChange[];
  /** Ack traces since the last answer, oldest first (when the run asked for them). */
  readonly acks?: MessageTrace[];
  /**
   * Ack traces left out: only when the run did not ask for them from its
   * start and its far-side source could not be held back (at most 4,096 or
   * 4 × credit wait, whichever is more).
   */
  readonly acksDropped?: number;
  readonly status: RemoteStatus;
  /** The run is over: every record was handed over (or `error` ended it). */
  readonly done: boolean;
  readonly error?: WireError;
}

/** What `exposeEngine` serves. Each method answers a {@link Reply}, never throws. */
export interface EngineServer {
  /** The protocol, the far side's version, and the largest message its endpoint carries, if it has a limit. */
  hello(): Promise<Reply<{ protocol: number; version: string; maxMessageBytes?: number }>>;
  /** Names of the modules a host may name (with `transforms`), else `[]`. */
  transforms(): Promise<Reply<string[]>>;
  /** A new engine with these options; answers its id and resolved options. */
  create(options: Record<string, unknown>): Promise<Reply<{ id: number; options: unknown }>>;
  /** A run; `window` is the most items a host feed may bring at once. */
  start(engine: number, request: RunRequest): Promise<Reply<{ run: number; window: number }>>;
  /** Items of a host source; answered once the far side has room for more. `end` ends the source, with `error` it fails it. */
  feed(run: number, items: ItemColumns, end?: { error?: WireError }): Promise<Reply<void>>;
  take(run: number, acks: boolean): Promise<Reply<TakeResult>>;
  /** The host's signal aborted: stop reading; what is in flight is still handed over. */
  abort(run: number): Promise<Reply<void>>;
  /** The host left the run early: end it now. */
  leave(run: number): Promise<Reply<void>>;
  status(engine: number): Promise<Reply<RemoteStatus>>;
  close(engine: number): Promise<Reply<void>>;
}

/** The methods a host may call: nothing else reaches comlink's dispatcher. */
export const SERVER_METHODS: ReadonlySet<string> = new Set<keyof EngineServer>([
  'hello', 'transforms', 'create', 'start', 'feed', 'take', 'abort', 'leave', 'status', 'close',
]);
