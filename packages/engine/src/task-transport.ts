import { Piscina } from 'piscina';
import { TimeoutError, serializeError, taskWorkerUrl } from '@tidemark/workers';
import type { LoadRequest, LoadResult, TaskRequest, TaskResult } from '@tidemark/workers';
import { TransformLoadError } from './errors.js';
import { now } from './message-state.js';
import type { MessageState } from './message-state.js';
import type { Completion, Transport } from './transport.js';

/** What piscina rejects the other tasks of a worker it ends with (after an abort). */
const terminated = 'Terminating worker thread';

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

/** One piscina task per message. */
export class TaskTransport implements Transport {
  readonly #pool: Piscina;
  readonly #transform: string;
  readonly #threads: number;
  readonly #timeout: number;
  #started: Promise<void> | undefined;
  #running = 0;
  #restarts = 0;

  constructor(settings: PoolSettings) {
    this.#pool = createPool(settings, settings.tasksPerThread);
    this.#transform = settings.transform;
    this.#threads = settings.threads;
    this.#timeout = settings.timeout;
  }

  get busyWorkers(): number {
    // piscina does not say which worker holds a task: at most one per task.
    return Math.min(this.#threads, this.#running);
  }

  get restarts(): number {
    return this.#restarts;
  }

  start(): Promise<void> {
    this.#started ??= checkTransform(this.#pool, this.#transform);
    return this.#started;
  }

  send(state: MessageState, done: Completion): void {
    const request: TaskRequest = {
      kind: 'message',
      transform: this.#transform,
      value: state.input,
      offset: state.offset,
      key: state.key,
      eventTime: state.eventTime,
      attempt: state.attempts,
      timeout: this.#timeout,
    };
    this.#running++;
    // The worker fails a try at the deadline itself; the abort here, a grace
    // later, is for a worker stuck in a sync transform: piscina replaces it.
    const signal = this.#timeout > 0 ? AbortSignal.timeout(this.#timeout + grace(this.#timeout)) : null;
    (this.#pool.run(request, { signal }) as Promise<TaskResult>).then(
      (result) => {
        this.#running--;
        state.startedAt = result.startedAt;
        state.endedAt = result.endedAt;
        state.threadId = result.threadId;
        if (result.ok) {
          state.values = result.values;
          done(state, undefined);
        } else {
          done(state, result.error);
        }
      },
      // The worker itself failed (it died): a failed try like any other.
      (error: unknown) => {
        this.#running--;
        state.startedAt = state.dispatchedAt;
        state.endedAt = now();
        const stuck = signal?.aborted === true;
        if (!stuck && (error as Error).message === terminated) {
          // Collateral: piscina ended this worker for another task's timeout.
          done(state, undefined, true);
          return;
        }
        this.#restarts++;
        done(state, serializeError(stuck ? new TimeoutError(`the worker was stuck past the ${this.#timeout} ms timeout and was replaced`) : error));
      },
    );
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

/** How long past its deadline a worker may stay silent before it is taken for stuck. */
export function grace(timeout: number): number {
  return Math.max(50, timeout / 4);
}
