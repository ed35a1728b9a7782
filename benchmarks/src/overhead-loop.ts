// What every overhead run shares, so that the engine and each pool are driven and timed the
// same way: the options, the result, the warm-up size, the closed loop and the output check.
import { performance } from 'node:perf_hooks';

/** What an overhead run is asked to do. For the batched one, `messages` counts items and `concurrency` postMessages. */
export interface OverheadOptions {
  messages: number;
  concurrency: number;
  threads: number;
}

/** One run's figure. `name` says which options it ran with. */
export interface OverheadResult {
  name: string;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  nsPerMessage: number;
}

/** Messages every run sends before the clock starts (worker start-up and the JIT): the engine's and every pool's alike. */
export function warmupMessages(threads: number): number {
  return threads * 1000;
}

/** Throws unless `messages`, `concurrency` and `threads` are integers from 1 up. */
export function validate(options: OverheadOptions): void {
  for (const key of ['messages', 'concurrency', 'threads'] as const) {
    const value = options[key];
    if (!(value >= 1) || !Number.isInteger(value))
      throw new TypeError(`Expected \`${key}\` to be an integer from 1 and up, got \`${value}\` (${typeof value})`);
  }
}

/** 0..n-1 as a generator, not an array, so p-map pulls from a lazy source the way a stream would feed it. */
export function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** The replies to 0..messages-1 through `x => x + 1` sum to `messages (messages + 1) / 2`; anything else throws. */
export function check(name: string, messages: number, sum: number): void {
  const expected = (messages * (messages + 1)) / 2;
  if (sum !== expected) throw new Error(`${name}: replies sum to ${sum}, expected ${expected}`);
}

/** Times `run`, checks the sum it returns, and reports the rate. */
export async function timed(name: string, messages: number, run: () => Promise<number>): Promise<OverheadResult> {
  const start = performance.now();
  check(name, messages, await run());
  const ms = performance.now() - start;
  return { name, messages, seconds: ms / 1e3, messagesPerSecond: (messages * 1e3) / ms, nsPerMessage: (ms * 1e6) / messages };
}

/** Sends 0..total-1 through `call` with `concurrency` calls in flight at all times; resolves to the sum of the replies. */
export async function closedLoop(total: number, concurrency: number, call: (x: number) => Promise<number>): Promise<number> {
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
