/**
 * What crosses the thread boundary between the engine and a worker. Plain
 * data only: anything here goes through structured clone.
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
  readonly value: unknown;
  readonly offset: number;
  readonly key: string | undefined;
  readonly eventTime: number;
  /** 1 on the first try. */
  readonly attempt: number;
  /** ms a try may take; 0 for no limit. */
  readonly timeout: number;
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

/** The worker's answer to a {@link TaskRequest}. */
export type TaskResult =
  | (RunReport & { readonly ok: true; readonly values: unknown[] })
  | (RunReport & { readonly ok: false; readonly error: SerializedError });

/** The worker's answer to a {@link LoadRequest}. */
export type LoadResult = { readonly ok: true } | { readonly ok: false; readonly error: SerializedError };

/**
 * Posted by a worker once its entry module has loaded: `{ [WORKER_LOADED]:
 * threadId }` (piscina passes it on as a pool `message` event). The engine
 * waits for it before closing a pool, because on Node 20 terminating a
 * worker while it is still loading an ES module can abort the whole process.
 */
export const WORKER_LOADED = 'tidemarkWorkerLoaded';
