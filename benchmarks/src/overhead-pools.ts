// The peer worker pools of the overhead benchmark, each at its best: every in-flight call at a
// worker (`ceil(concurrency / threads)` tasks per worker), the same warm-up as the engine, and
// the same closed loop. piscina with its defaults (one task per worker; the rest wait on the
// main thread) stays as an extra row. Every run checks the sum of the replies.
import { fileURLToPath } from 'node:url';
import pMap from 'p-map';
import { Piscina } from 'piscina';
import { FixedThreadPool, PoolEvents } from 'poolifier';
import { Tinypool } from 'tinypool';
import { check, closedLoop, range, timed, validate, warmupMessages } from './overhead-loop.js';
import type { OverheadOptions, OverheadResult } from './overhead-loop.js';

const trivialUrl = new URL('./workers/trivial.js', import.meta.url);
const poolifierTrivial = fileURLToPath(new URL('./workers/poolifier-trivial.js', import.meta.url));

/** A pool as the closed loop drives it. */
interface Pool {
  /** What the pool really runs with, read back from it where it says. */
  readonly settings: string;
  /** Resolves once every worker has started, for a pool that says so. */
  ready?(): Promise<void>;
  run(x: number): Promise<number>;
  close(): Promise<void>;
}

/** The in-flight share of one worker: every call in flight is at a worker, none waits on the main thread. */
export function tasksPerWorker(options: OverheadOptions): number {
  return Math.ceil(options.concurrency / options.threads);
}

async function measure(
  options: OverheadOptions,
  label: string,
  open: () => Pool,
  drive: (pool: Pool, messages: number) => Promise<number> = (pool, n) => closedLoop(n, options.concurrency, (x) => pool.run(x)),
): Promise<OverheadResult> {
  validate(options);
  const pool = open();
  try {
    await pool.ready?.();
    const warmup = warmupMessages(options.threads);
    check(`${label} warm-up`, warmup, await drive(pool, warmup));
    return await timed(`${label} (${pool.settings})`, options.messages, () => drive(pool, options.messages));
  } finally {
    await pool.close();
  }
}

function piscina(options: OverheadOptions, tuned: boolean, mode?: 'async'): Pool {
  const perWorker = tuned ? { concurrentTasksPerWorker: tasksPerWorker(options) } : {};
  const pool = new Piscina<number, number>({
    filename: trivialUrl.href,
    minThreads: options.threads,
    maxThreads: options.threads,
    ...perWorker,
    ...(mode === undefined ? {} : { atomics: mode }),
  });
  const { concurrentTasksPerWorker, atomics } = pool.options;
  return {
    settings: `threads ${options.threads}, concurrentTasksPerWorker ${concurrentTasksPerWorker}, atomics ${atomics}`,
    run: (x) => pool.run(x),
    close: () => pool.close(),
  };
}

/** piscina at its best: `concurrentTasksPerWorker` at the in-flight share, `atomics` at its default; with {@link piscinaBestAsync}, the overhead table's baseline. */
export function piscinaBest(options: OverheadOptions): Promise<OverheadResult> {
  return measure(options, 'piscina, tasks at the workers', () => piscina(options, true));
}

/** piscina at its best with `atomics: 'async'` (a worker waits for tasks without blocking its event loop); the faster piscina row is the baseline. */
export function piscinaBestAsync(options: OverheadOptions): Promise<OverheadResult> {
  return measure(options, 'piscina, tasks at the workers', () => piscina(options, true, 'async'));
}

/** piscina with every option at its default (one task per worker). */
export function piscinaDefaults(options: OverheadOptions): Promise<OverheadResult> {
  return measure(options, 'piscina, defaults', () => piscina(options, false));
}

/** The tuned piscina pool driven by p-map over a lazy iterable of the messages. */
export function pMapPiscina(options: OverheadOptions): Promise<OverheadResult> {
  return measure(
    options,
    'p-map + piscina, tasks at the workers',
    () => piscina(options, true),
    async (pool, n) => (await pMap(range(n), (x) => pool.run(x), { concurrency: options.concurrency })).reduce((a, b) => a + b, 0),
  );
}

/** tinypool with `concurrentTasksPerWorker` at the in-flight share. */
export function tinypoolBest(options: OverheadOptions): Promise<OverheadResult> {
  return measure(options, 'tinypool, tasks at the workers', () => {
    const pool = new Tinypool({
      filename: trivialUrl.href,
      minThreads: options.threads,
      maxThreads: options.threads,
      concurrentTasksPerWorker: tasksPerWorker(options),
    });
    const { concurrentTasksPerWorker, useAtomics } = pool.options;
    return {
      settings: `threads ${options.threads}, concurrentTasksPerWorker ${concurrentTasksPerWorker}, useAtomics ${useAtomics}`,
      run: (x) => pool.run(x) as Promise<number>,
      close: () => pool.destroy(),
    };
  });
}

/** poolifier's fixed thread pool with its tasks queue on and `tasksQueueOptions.concurrency` at the in-flight share. */
export function poolifierBest(options: OverheadOptions): Promise<OverheadResult> {
  return measure(options, 'poolifier, tasks at the workers', () => {
    const concurrency = tasksPerWorker(options);
    const pool = new FixedThreadPool<number, number>(options.threads, poolifierTrivial, {
      enableTasksQueue: true,
      tasksQueueOptions: { concurrency },
    });
    return {
      settings: `threads ${options.threads}, enableTasksQueue, tasksQueueOptions.concurrency ${concurrency}`,
      ready: () =>
        pool.info.ready ? Promise.resolve() : new Promise<void>((resolve) => pool.emitter?.once(PoolEvents.ready, () => resolve())),
      run: (x) => pool.execute(x),
      close: () => closePoolifier(pool),
    };
  });
}

/**
 * poolifier 5.3.2's `destroy()`, seen here: about one run in ten it never settles although
 * every worker has gone (`info.workerNodes` 0), and while it waits nothing of poolifier's holds
 * the event loop open (so with nothing else pending the process exits mid-await, code 13). So
 * the close ends when destroy() settles or the pool has no worker left, polled every 10 ms,
 * and fails after 10 s.
 */
async function closePoolifier(pool: FixedThreadPool<number, number>): Promise<void> {
  let poll: NodeJS.Timeout | undefined;
  const gone = new Promise<void>((resolve, reject) => {
    const deadline = performance.now() + 10_000;
    poll = setInterval(() => {
      if (pool.info.workerNodes === 0) resolve();
      else if (performance.now() > deadline) reject(new Error(`poolifier: ${pool.info.workerNodes} workers left 10 s after destroy()`));
    }, 10);
  });
  try {
    await Promise.race([pool.destroy(), gone]);
  } finally {
    clearInterval(poll);
  }
}
