import { performance } from 'node:perf_hooks';

/**
 * The one clock of Tidemark, on the main thread and in every worker: epoch
 * ms with sub-ms precision. `performance.timeOrigin` is per thread, so adding
 * it makes times taken on different threads comparable.
 */
const origin = performance.timeOrigin;

/** Epoch ms with sub-ms precision, comparable across threads. */
export function now(): number {
  return origin + performance.now();
}
