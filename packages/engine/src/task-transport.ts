import { Piscina } from 'piscina';
import { taskWorkerUrl } from '@tidemark/workers';
import type { LoadRequest, LoadResult, TaskRequest, TaskResult } from '@tidemark/workers';
import type { Transport } from './transport.js';

/** Settings of the worker pool. */
export interface PoolSettings {
  readonly threads: number;
  readonly tasksPerThread: number;
  readonly execArgv: readonly string[];
}

/** One piscina task per message. */
export class TaskTransport implements Transport {
  readonly #pool: Piscina<TaskRequest | LoadRequest, TaskResult | LoadResult>;

  constructor(settings: PoolSettings) {
    this.#pool = new Piscina({
      filename: taskWorkerUrl,
      minThreads: settings.threads,
      maxThreads: settings.threads,
      concurrentTasksPerWorker: settings.tasksPerThread,
      // Transforms may be async: a worker blocked in a sync Atomics.wait for
      // its next task could not run the timers and I/O of the ones it holds.
      atomics: 'async',
      idleTimeout: Number.POSITIVE_INFINITY,
      recordTiming: false,
      execArgv: [...settings.execArgv],
    });
  }

  run(request: TaskRequest): Promise<TaskResult> {
    return this.#pool.run(request) as Promise<TaskResult>;
  }

  load(transform: string): Promise<LoadResult> {
    return this.#pool.run({ kind: 'load', transform }) as Promise<LoadResult>;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
