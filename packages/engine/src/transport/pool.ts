import { Piscina } from 'piscina';
import { taskWorkerUrl } from '@tidemark/workers';
import type { LoadRequest, LoadResult } from '@tidemark/workers';
import { InvalidOptionError, TransformLoadError } from '../errors.js';
import { WorkerBoot } from './worker-boot.js';

/** Settings of the worker pool. */
export interface PoolSettings {
  readonly transform: string;
  /** ms a try may take; 0 for no limit. */
  readonly timeout: number;
  /** ms the workers may take to load the transform module and start serving. */
  readonly loadTimeout: number;
  readonly resourceLimits: Readonly<Record<string, number>>;
  readonly threads: number;
  readonly tasksPerThread: number;
  readonly execArgv: readonly string[];
}

/**
 * The piscina pool both transports run on, and what may go wrong with it
 * outside any one message: a transform module that cannot load, or loads
 * forever (a top-level await that never settles, a loop at top level); a
 * worker that cannot start within its `resourceLimits`; a worker that dies
 * with no task of ours on it (a transform's timer threw after its message
 * ended), which piscina reports as an `'error'` event that would otherwise
 * take the host process down. None of them may crash or wedge the host:
 * {@link start} fails with {@link TransformLoadError} within `loadTimeout`,
 * and {@link close} always ends.
 */
export class WorkerPool {
  readonly piscina: Piscina;
  readonly #boot: WorkerBoot;
  readonly #settings: PoolSettings;
  /** Rejects the start under way, if any. */
  #failStart: ((error: Error) => void) | undefined;
  #state: 'new' | 'starting' | 'started' | 'failed' = 'new';
  #stopping: Promise<void> | undefined;
  /** Workers that died with no task of ours on them. */
  #deaths = 0;

  /** `tasksPerThread`: the tasks piscina gives one worker at once. */
  constructor(settings: PoolSettings, tasksPerThread: number) {
    this.#settings = settings;
    this.piscina = createPiscina(settings, tasksPerThread);
    this.#boot = new WorkerBoot(this.piscina);
    this.piscina.on('error', (error: unknown) => {
      // piscina has already removed the worker and starts another if it had
      // been ready; one that died while starting fails the start.
      this.#deaths++;
      this.#failStart?.(loadError(error, this.#settings));
    });
  }

  /** Workers that died with no task of ours on them (a timer of a transform threw, say). */
  get deaths(): number {
    return this.#deaths;
  }

  /**
   * Check in one worker that the transform module loads, then run `ready`
   * (the transport's own start), all within `loadTimeout`. On failure the
   * workers are stopped at once (one may be spinning in the module's top
   * level) and the pool cannot be used again.
   *
   * @throws {TransformLoadError} when the module cannot load, a worker
   * cannot start, or either takes longer than `loadTimeout`.
   */
  async start(ready: () => Promise<void>): Promise<void> {
    this.#state = 'starting';
    const { loadTimeout, transform } = this.#settings;
    let timer: NodeJS.Timeout | undefined;
    const failed = new Promise<never>((_, reject) => {
      this.#failStart = reject;
      timer = setTimeout(() => reject(new TransformLoadError(slowLoad(transform, loadTimeout))), loadTimeout);
    });
    const starting = (async () => {
      const result = (await this.piscina.run({ kind: 'load', transform } satisfies LoadRequest).catch((error: unknown) => {
        throw loadError(error, this.#settings);
      })) as LoadResult;
      if (!result.ok) throw new TransformLoadError(result.error.message);
      await ready().catch((error: unknown) => {
        throw loadError(error, this.#settings);
      });
    })();
    try {
      await Promise.race([starting, failed]);
      this.#state = 'started';
    } catch (error) {
      this.#state = 'failed';
      void this.stop();
      starting.catch(() => {}); // ended by stop()
      throw error;
    } finally {
      clearTimeout(timer);
      this.#failStart = undefined;
    }
  }

  /** Whether {@link start} succeeded. */
  get started(): boolean {
    return this.#state === 'started';
  }

  /** Whether the pool failed to start, or is stopping: nothing new should be run on it. */
  get stopped(): boolean {
    return this.#state === 'failed' || this.#stopping !== undefined;
  }

  /**
   * Terminate the workers, once each has loaded its entry module. The
   * transports wait for their own tasks first (and give up on the ones
   * that never end, such as a replacement still loading the module).
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#failStart?.(new TransformLoadError('the engine was closed while the transform module was loading'));
      // A worker terminated while it still loads its entry module can take the process down (Node 20).
      await this.#boot.settled();
      await this.piscina.destroy();
    })();
    return this.#stopping;
  }
}

/**
 * The pool, its first workers started. Node checks `execArgv` as it
 * creates a worker: flags a worker thread refuses are an
 * {@link InvalidOptionError} from the engine's constructor.
 */
function createPiscina(settings: PoolSettings, tasksPerThread: number): Piscina {
  try {
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
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'ERR_WORKER_INVALID_EXEC_ARGV') {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InvalidOptionError('execArgv', `flags a worker thread accepts (${reason})`, settings.execArgv);
    }
    throw error;
  }
}

/** How long past its deadline a worker may stay silent before it is taken for stuck. */
export function grace(timeout: number): number {
  return Math.max(50, timeout / 4);
}

/** The error of a try whose worker was replaced for being stuck past `timeout`. */
export function stuckMessage(timeout: number): string {
  return `the transform was stuck past the ${timeout} ms timeout; its worker was replaced`;
}

function slowLoad(transform: string, loadTimeout: number): string {
  return (
    `the transform module ${transform} did not load within the ${loadTimeout} ms \`loadTimeout\` ` +
    '(a top-level await that never settles, or a loop at its top level?)'
  );
}

/** A worker failed while loading the module or starting: what it means, as a {@link TransformLoadError}. */
function loadError(error: unknown, settings: PoolSettings): TransformLoadError {
  if (error instanceof TransformLoadError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const exited = /exited with code:? (-?\d+)/u.exec(message);
  if (exited !== null) {
    return new TransformLoadError(
      `a worker exited with code ${exited[1]} while loading the transform module ${settings.transform} (process.exit at its top level?)`,
      { cause: error },
    );
  }
  if (code === 'ERR_WORKER_OUT_OF_MEMORY' || code === 'ERR_WORKER_INIT_FAILED') {
    return new TransformLoadError(
      `a worker could not start within its resourceLimits ${JSON.stringify(settings.resourceLimits)}: ${message}`,
      { cause: error },
    );
  }
  return new TransformLoadError(`a worker failed while loading the transform module ${settings.transform}: ${message}`, { cause: error });
}
