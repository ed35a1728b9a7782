import {
  SafeAbortController,
  SafePromise,
  isPromise,
  promiseThen,
  safeClearTimeout,
  safeSetTimeout,
} from './primordials.js';

/** A try of a message ran past the engine's `timeout`. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ERR_TIDEMARK_TIMEOUT';

  /** Without a message (or with an empty one), the default. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message || 'the transform took longer than its timeout', options);
  }
}

const neverAborted = new SafeAbortController().signal;

/**
 * Run `transform(signal)` with a deadline of `timeout` ms (none when 0).
 * An async transform that is still running then has its `signal` aborted
 * and the try fails with {@link TimeoutError}, whatever it does later. A
 * sync transform cannot be interrupted from its own thread: the engine
 * replaces a worker stuck in one. Uses the realm's own Promise and timers,
 * whatever a transform made of the globals.
 */
export function withDeadline(timeout: number, transform: (signal: AbortSignal) => unknown): unknown {
  if (!(timeout > 0)) return transform(neverAborted);
  const controller = new SafeAbortController();
  const result = transform(controller.signal);
  if (!isPromise(result)) return result;
  return new SafePromise((resolve, reject) => {
    const timer = safeSetTimeout(() => {
      const error = new TimeoutError(`the transform took longer than ${timeout} ms`);
      controller.abort(error);
      reject(error);
    }, timeout);
    void promiseThen(
      result,
      (value: unknown) => {
        safeClearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        safeClearTimeout(timer);
        reject(error);
      },
    );
  });
}
