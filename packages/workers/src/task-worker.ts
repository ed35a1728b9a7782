/**
 * piscina's worker entry. The task transport sends one piscina task per
 * message; the ring transport sends one long-lived `serve` task per worker. The transform's outcome comes back as data (never thrown), so
 * that its error keeps its code and the engine can decide about retries.
 */
import { parentPort, threadId } from 'node:worker_threads';
import { now } from './clock.js';
import { TooDeep } from './codec.js';
import { withDeadline } from './deadline.js';
import { loadTransform, loadedTransform } from './load-transform.js';
import { toValues } from './outputs.js';
import { PostEncoder, decodePosted } from './post-codec.js';
import { PromisePrototype, SafePromise, getPrototypeOf, isPromise, promiseThen } from './primordials.js';
import { WORKER_LOADED } from './protocol.js';
import type { LoadRequest, LoadResult, TaskRequest, TaskResult } from './protocol.js';
import type { ServeRequest } from './ring-layout.js';
import { serve } from './ring-serve.js';
import { serializeError } from './serialize-error.js';
import { boardRow } from './task-board.js';

// On the next turn: piscina loads this module with a synchronous require(),
// which must have returned before the worker counts as loaded.
setImmediate(() => parentPort?.postMessage({ [WORKER_LOADED]: threadId }));

const encoder = new PostEncoder();

/**
 * `promise` as one of the realm's own promises, which `await` reads without
 * calling a `then` (a promise of a transform's subclass of Promise, or any
 * after it replaced `Promise.prototype.then`, would have its `then` called).
 */
function settled(promise: Promise<unknown>): Promise<unknown> {
  if (getPrototypeOf(promise) === PromisePrototype) return promise;
  return new SafePromise((resolve, reject) => {
    void promiseThen(promise, resolve, reject);
  });
}

export default function handle(request: TaskRequest): Promise<TaskResult>;
export default function handle(request: LoadRequest): Promise<LoadResult>;
export default function handle(request: ServeRequest): Promise<void>;
export default async function handle(
  request: TaskRequest | LoadRequest | ServeRequest,
): Promise<TaskResult | LoadResult | void> {
  if (request.kind === 'serve') return serve(request);
  if (request.kind === 'load') {
    try {
      await loadTransform(request.transform);
      return { ok: true };
    } catch (error) {
      return { ok: false, error: serializeError(error) };
    }
  }
  const startedAt = now();
  try {
    // While the transform's sync part runs (or, on a thread's first message,
    // while its module loads), the board's mark says that this message holds
    // the thread: if it is stuck there past its deadline, the engine replaces
    // this worker and charges only this message. From its start until its
    // outputs are encoded, the try is listed on the board as running: a
    // thread blocked in an async continuation (which no mark names) is
    // replaced once tries it runs are far past their deadline, and only
    // those tries are charged.
    const row = request.board === 0 ? undefined : boardRow(request.board);
    let transform = loadedTransform(request.transform);
    if (transform === undefined) {
      row?.mark(request.id);
      try {
        transform = await loadTransform(request.transform);
      } finally {
        row?.clear();
      }
    }
    const value = decodePosted(request.value, request.encoded, TooDeep.inputToRead);
    const entry = row === undefined ? -1 : row.begin(request.id);
    try {
      row?.mark(request.id);
      let running: unknown;
      try {
        running = withDeadline(request.timeout, (signal) =>
          transform(value, { offset: request.offset, key: request.key, eventTime: request.eventTime, attempt: request.attempt, signal }),
        );
      } finally {
        row?.clear();
      }
      const values = encoder.encodeAll(toValues(isPromise(running) ? await settled(running) : running), TooDeep.outputToSend);
      return { ok: true, values, encoded: encoder.encoded, startedAt, endedAt: now(), threadId };
    } finally {
      row?.end(entry);
    }
  } catch (error) {
    return { ok: false, error: serializeError(error), startedAt, endedAt: now(), threadId };
  }
}
