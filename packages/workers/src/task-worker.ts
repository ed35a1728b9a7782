/**
 * piscina's worker entry. The task transport sends one piscina task per
 * message; the ring transport sends one long-lived `serve` task per worker. The transform's outcome comes back as data (never thrown), so
 * that its error keeps its code and the engine can decide about retries.
 */
import { parentPort, threadId } from 'node:worker_threads';
import { now } from './clock.js';
import { withDeadline } from './deadline.js';
import { loadTransform } from './load-transform.js';
import { toValues } from './outputs.js';
import { WORKER_LOADED } from './protocol.js';
import type { LoadRequest, LoadResult, TaskRequest, TaskResult } from './protocol.js';
import type { ServeRequest } from './ring-layout.js';
import { serve } from './ring-serve.js';
import { serializeError } from './serialize-error.js';


// On the next turn: piscina loads this module with a synchronous require(),
// which must have returned before the worker counts as loaded.
setImmediate(() => parentPort?.postMessage({ [WORKER_LOADED]: threadId }));

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
    const transform = await loadTransform(request.transform);
    const result = await withDeadline(request.timeout, (signal) =>
      transform(request.value, {
        offset: request.offset,
        key: request.key,
        eventTime: request.eventTime,
        attempt: request.attempt,
        signal,
      }),
    );
    return { ok: true, values: toValues(result), startedAt, endedAt: now(), threadId };
  } catch (error) {
    return { ok: false, error: serializeError(error), startedAt, endedAt: now(), threadId };
  }
}
