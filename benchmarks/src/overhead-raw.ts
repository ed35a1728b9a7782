// Raw worker_threads baselines of the overhead benchmark: no pool, so the figure is the floor a
// per-message postMessage transport can reach here (and what 64 items per postMessage reach).
// Every run sends 0..n-1 and checks the sum of the replies, so a broken run throws instead of
// reporting a figure.
import { Worker } from 'node:worker_threads';
import { check, timed, validate, warmupMessages } from './overhead-loop.js';
import type { OverheadOptions, OverheadResult } from './overhead-loop.js';

const batchSize = 64;
const rawEchoUrl = new URL('./workers/raw-echo.js', import.meta.url);

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
    const warmup = warmupMessages(threads) * batch;
    check(`${name} warm-up`, warmup, await drive(workers, warmup, concurrency, batch));
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
