import type { LoadResult, TaskRequest, TaskResult } from '@tidemark/workers';

/**
 * How messages reach the worker pool. The task transport sends one piscina
 * task per message; a shared-memory ring transport can take its place.
 */
export interface Transport {
  /** Run one message; the promise never rejects for a transform error (see `TaskResult`). */
  run(request: TaskRequest): Promise<TaskResult>;
  /** Load the transform module in a worker and check it. */
  load(transform: string): Promise<LoadResult>;
  /** Wait for what is running, then stop the workers. */
  close(): Promise<void>;
}
