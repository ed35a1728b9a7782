/**
 * What crosses the thread boundary between the engine and a worker (plain
 * data only: it goes through structured clone), and how a transport reports
 * what came back.
 */

/** An error as data: an Error loses its class and `code` when it crosses threads. */
export interface SerializedError {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
  readonly stack: string | undefined;
}

/** One message for the worker to run through the transform. */
export interface TaskRequest {
  readonly kind: 'message';
  /** The transform module's URL (`file:` href). */
  readonly transform: string;
  /** The message's id, unique among those in flight: what the worker marks on the board while it runs. */
  readonly id: number;
  /** The value, as `PostEncoder` (post-codec.ts) sent it: as is, or when `encoded`, in bytes. */
  readonly value: unknown;
  readonly encoded: boolean;
  readonly offset: number;
  readonly key: string | undefined;
  readonly eventTime: number;
  /** 1 on the first try. */
  readonly attempt: number;
  /** ms a try may take; 0 for no limit. */
  readonly timeout: number;
  /** The board (task-board.ts) where the worker marks which message holds its thread; 0 for none. */
  readonly board: number;
}

/** Load the transform module and check its default export, running nothing. */
export interface LoadRequest {
  readonly kind: 'load';
  readonly transform: string;
}

/** Where and when a message ran. Times are epoch ms with sub-ms precision. */
export interface RunReport {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly threadId: number;
}

/**
 * The worker's answer to a {@link TaskRequest}. `values` are the outputs,
 * as `PostEncoder` (post-codec.ts) sent them: an array as is, or when
 * `encoded`, the array in bytes.
 */
export type TaskResult =
  | (RunReport & { readonly ok: true; readonly values: unknown; readonly encoded: boolean })
  | (RunReport & { readonly ok: false; readonly error: SerializedError });

/**
 * One message's outcome, as a transport reports it to the engine: data, not
 * a write of the engine's state. Exactly one of `values` and `error` is set,
 * or neither when `requeue` is.
 *
 * A transport fills one object again for every report: it is valid only
 * during the {@link CompletionHandler} call; copy what you keep.
 */
export interface Completion {
  /** The id the message was sent with. */
  id: number;
  /** Set when the try succeeded: its outputs, in order (none when dropped). */
  values: unknown[] | undefined;
  /** Set when the try failed: the transform threw or timed out, its worker died while it ran, or it could not be sent. */
  error: SerializedError | undefined;
  /**
   * True when the message did not fail its try though it did not complete:
   * its worker died before it started, or was killed for another message.
   * Send it again without counting a try.
   */
  requeue: boolean;
  /**
   * When the try started and ended in the worker (epoch ms, see `now()`);
   * 0 when not known: it never started, or its worker died before it ended.
   */
  startedAt: number;
  endedAt: number;
  /** The thread id of the worker it was sent to (-1 when that worker was not ready yet). */
  threadId: number;
}

/** Where a transport reports every {@link Completion}; given once, when the transport starts. */
export type CompletionHandler = (completion: Completion) => void;

/** The worker's answer to a {@link LoadRequest}. */
export type LoadResult = { readonly ok: true } | { readonly ok: false; readonly error: SerializedError };

/**
 * Posted by a worker once its entry module has loaded: `{ [WORKER_LOADED]:
 * threadId }` (piscina passes it on as a pool `message` event). The engine
 * waits for it before closing a pool, because on Node 20 terminating a
 * worker while it is still loading an ES module can abort the whole process.
 */
export const WORKER_LOADED = 'tidemarkWorkerLoaded';
