// Baselines for the overhead benchmark: what a trivial task costs through piscina and raw
// postMessage here, for the engine's figure to stand beside. Every run sends 0..n-1 and checks
// the sum of the replies, so a broken baseline throws instead of reporting a figure.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import pMap from 'p-map';
import { Piscina } from 'piscina';

/** What a baseline run is asked to do. For the batched one, `messages` counts items and `concurrency` postMessages. */
export interface OverheadOptions {
  messages: number;
  concurrency: number;
  threads: number;
}

/** One baseline's figure. `name` says which options it ran with. */
export interface OverheadResult {
  name: string;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  nsPerMessage: number;
}

type Pool = Piscina<number, number>;
const batchSize = 64;
const trivialUrl = new URL('./workers/trivial.js', import.meta.url).href;
const rawEchoUrl = new URL('./workers/raw-echo.js', import.meta.url);

function validate(options: OverheadOptions): void {
  for (const key of ['messages', 'concurrency', 'threads'] as const) {
    const value = options[key];
    if (!(value >= 1) || !Number.isInteger(value))
      throw new TypeError(`Expected \`${key}\` to be an integer from 1 and up, got \`${value}\` (${typeof value})`);
  }
}

// A generator, not an array, so p-map pulls from a lazy source the way a stream would feed it.
function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

function check(name: string, messages: number, sum: number): void {
  const expected = (messages * (messages + 1)) / 2;
  if (sum !== expected) throw new Error(`${name}: replies sum to ${sum}, expected ${expected}`);
}

async function timed(name: string, messages: number, run: () => Promise<number>): Promise<OverheadResult> {
  const start = performance.now();
  check(name, messages, await run());
  const ms = performance.now() - start;
  return { name, messages, seconds: ms / 1e3, messagesPerSecond: (messages * 1e3) / ms, nsPerMessage: (ms * 1e6) / messages };
}

async function closedLoop(total: number, concurrency: number, call: (x: number) => Promise<number>): Promise<number> {
  let next = 0;
  let sum = 0;
  const lane = async (): Promise<void> => {
    while (next < total) {
      // Not `sum += await ...`: that reads `sum` before the await and loses the other lanes' adds.
      const reply = await call(next++);
      sum += reply;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  return sum;
}

async function withPool(
  options: OverheadOptions,
  label: string,
  measure: (pool: Pool) => Promise<number>,
  tuned = true,
): Promise<OverheadResult> {
  validate(options);
  const { messages, concurrency, threads } = options;
  // Tuned: every in-flight call really at a worker. Untuned: piscina's defaults
  // (one task per worker; the rest wait on the main thread).
  const perWorker = tuned ? { concurrentTasksPerWorker: Math.ceil(concurrency / threads) } : {};
  const pool: Pool = new Piscina({ filename: trivialUrl, minThreads: threads, maxThreads: threads, ...perWorker });
  try {
    // Warm-up: worker start-up and the JIT would otherwise land in the timed part.
    check(`${label} warm-up`, threads * 10, await closedLoop(threads * 10, concurrency, (x) => pool.run(x)));
    // Read back from the pool so the name shows what piscina really ran with, defaults included.
    const { concurrentTasksPerWorker, atomics } = pool.options;
    const name = `${label} (threads ${threads}, concurrentTasksPerWorker ${concurrentTasksPerWorker}, atomics ${atomics} by default)`;
    return await timed(name, messages, () => measure(pool));
  } finally {
    await pool.close();
  }
}

/** piscina with `concurrency` `pool.run()` calls kept in flight, each at a worker; atomics left at its default. */
export function piscinaRun(options: OverheadOptions): Promise<OverheadResult> {
  return withPool(options, 'piscina run()', (pool) => closedLoop(options.messages, options.concurrency, (x) => pool.run(x)));
}

/** Plain piscina: `concurrency` `pool.run()` calls in flight, every pool option at its default. */
export function piscinaDefaults(options: OverheadOptions): Promise<OverheadResult> {
  const run = (pool: Pool) => closedLoop(options.messages, options.concurrency, (x) => pool.run(x));
  return withPool(options, 'plain piscina run()', run, false);
}

/** The same pool driven by p-map over an iterable of the messages. */
export function pMapPiscina(options: OverheadOptions): Promise<OverheadResult> {
  return withPool(options, 'p-map + piscina', async (pool) => {
    const replies = await pMap(range(options.messages), (x) => pool.run(x), { concurrency: options.concurrency });
    return replies.reduce((a, b) => a + b, 0);
  });
}

/** Sends 0..total-1 in `batch`-sized postMessages, `concurrency` of them in flight round-robin. */
function drive(workers: Worker[], total: number, concurrency: number, batch: number): Promise<number> {
  let next = 0;
  let received = 0;
  let sum = 0;
  const send = (worker: Worker): void => {
    const count = Math.min(batch, total - next);
    worker.postMessage(batch === 1 ? next : Array.from({ length: count }, (_, i) => next + i));
    next += count;
  };
  return new Promise((resolve, reject) => {
    const finish = (error: Error | null): void => {
      for (const off of cleanups) off();
      return error === null ? resolve(sum) : reject(error);
    };
    const cleanups = workers.map((worker) => {
      const onMessage = (reply: number | number[]): void => {
        sum += typeof reply === 'number' ? reply : reply.reduce((a, b) => a + b, 0);
        received += typeof reply === 'number' ? 1 : reply.length;
        if (next < total) send(worker);
        else if (received === total) finish(null);
      };
      const onExit = (code: number): void => finish(new Error(`raw-echo worker exited with code ${code}`));
      worker.on('message', onMessage).on('error', finish).on('exit', onExit);
      return () => worker.off('message', onMessage).off('error', finish).off('exit', onExit);
    });
    for (let i = 0; i < concurrency && next < total; i++) send(workers[i % workers.length] as Worker);
  });
}

async function raw(options: OverheadOptions, batch: number, name: string): Promise<OverheadResult> {
  validate(options);
  const { messages, concurrency, threads } = options;
  const workers = Array.from({ length: threads }, () => new Worker(rawEchoUrl));
  try {
    check(`${name} warm-up`, threads * 10 * batch, await drive(workers, threads * 10 * batch, concurrency, batch));
    return await timed(name, messages, () => drive(workers, messages, concurrency, batch));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Raw worker_threads ping-pong: one number per postMessage, `concurrency` in flight. */
export function rawPostMessage(options: OverheadOptions): Promise<OverheadResult> {
  return raw(options, 1, `raw postMessage (threads ${options.threads}, 1 item/message)`);
}

/** Raw worker_threads, 64 items per postMessage; `concurrency` counts postMessages, `messages` items (items/s). */
export function rawPostMessageBatched(options: OverheadOptions): Promise<OverheadResult> {
  return raw(options, batchSize, `raw postMessage batched (threads ${options.threads}, ${batchSize} items/message)`);
}
