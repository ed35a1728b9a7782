import { Piscina } from 'piscina';
import { taskWorkerUrl } from '@tidemark/workers';
import type { LoadRequest, LoadResult } from '@tidemark/workers';
import { TransformLoadError } from '../errors.js';

/** Settings of the worker pool. */
export interface PoolSettings {
  readonly transform: string;
  /** ms a try may take; 0 for no limit. */
  readonly timeout: number;
  readonly resourceLimits: Readonly<Record<string, number>>;
  readonly threads: number;
  readonly tasksPerThread: number;
  readonly execArgv: readonly string[];
}

/** Make the piscina pool both transports run on. */
export function createPool(settings: PoolSettings, tasksPerThread: number): Piscina {
  return new Piscina({
    filename: taskWorkerUrl,
    minThreads: settings.threads,
    maxThreads: settings.threads,
    concurrentTasksPerWorker: tasksPerThread,
    // Transforms may be async: a worker blocked in a sync Atomics.wait for
    // its next task could not run the timers and I/O of the ones it holds.
    atomics: 'async',
    idleTimeout: Number.POSITIVE_INFINITY,
    recordTiming: false,
    execArgv: [...settings.execArgv],
    resourceLimits: { ...settings.resourceLimits },
  });
}

/** Load the transform in a worker; throws {@link TransformLoadError} if it cannot be used. */
export async function checkTransform(pool: Piscina, transform: string): Promise<void> {
  const result = (await pool.run({ kind: 'load', transform } satisfies LoadRequest)) as LoadResult;
  if (!result.ok) throw new TransformLoadError(result.error.message);
}

/** How long past its deadline a worker may stay silent before it is taken for stuck. */
export function grace(timeout: number): number {
  return Math.max(50, timeout / 4);
}
