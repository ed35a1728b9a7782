import type { Writable } from 'node:stream';

/**
 * Resolves at `out`'s next `drain`; rejects if it fails or closes first (a
 * stream destroyed while a write waits for room never drains).
 */
export function drained(out: Writable): Promise<void> {
  if (out.destroyed) return Promise.reject(out.errored ?? prematureClose());
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = () => settle();
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(out.errored ?? prematureClose());
    out.on('drain', onDrain);
    out.on('error', onError);
    out.on('close', onClose);
  });
}

/** The error of a stream destroyed before it finished, as Node's `finished()` names it. */
export function prematureClose(): Error {
  return Object.assign(new Error('the stream was destroyed before it finished'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}
