/** A try of a message ran past the engine's `timeout`. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ERR_TIDEMARK_TIMEOUT';
}

const neverAborted = new AbortController().signal;

/**
 * Run `transform(signal)` with a deadline of `timeout` ms (none when 0).
 * An async transform that is still running then has its `signal` aborted
 * and the try fails with {@link TimeoutError}, whatever it does later. A
 * sync transform cannot be interrupted from its own thread: the engine
 * replaces a worker stuck in one.
 */
export function withDeadline(timeout: number, transform: (signal: AbortSignal) => unknown): unknown {
  if (!(timeout > 0)) return transform(neverAborted);
  const controller = new AbortController();
  const result = transform(controller.signal);
  if (!(result instanceof Promise)) return result;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = new TimeoutError(`the transform took longer than ${timeout} ms`);
      controller.abort(error);
      reject(error);
    }, timeout);
    result.then(
      (value: unknown) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
