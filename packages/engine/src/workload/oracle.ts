import { setImmediate as nextTurn, setTimeout as timer } from 'node:timers/promises';
import { steadyState } from './skew-summary.js';
import { mean } from '../measure/stats.js';

/**
 * The oracle: what a perfect engine would do with the same latencies.
 *
 * ```
 * slot 0: [m0 ····][m2 ··························][m5 ···]
 * slot 1: [m1 ·················][m3 ·····][m4 ·········]
 *                              ^ a slot that frees takes the next message at once
 * ```
 *
 * `concurrency` slots on the main thread, no threads, no transport, no
 * buffers: each message waits as the transform spends its latency, and when
 * the wait ends its slot takes the next message in the same continuation
 * (work-conserving). Its throughput uses the engine runs' window
 * ({@link steadyState}), with a message's "read" when it takes a slot and its
 * "ack" when its wait ends, so `engine throughput / oracle throughput`
 * charges the engine with what it adds, not with the latencies or the way
 * they are spent.
 *
 * The wait is the transform's own kind of timer ({@link skewWait}): the
 * `await` transform's `setTimeout` of `node:timers/promises` (a Node timer
 * counts whole milliseconds from the event loop's cached clock, so it may
 * end up to a millisecond early or late; the oracle's waits err the same
 * way), or for the `blocking` and `cpu` transforms, whose `Atomics.wait`
 * and busy loop never end early, {@link exactWait}. `meanMs` beside the
 * transform's measured mean shows how the two compare.
 */
export interface OracleOptions {
  /**
   * Waits `ms`.
   * @default `setTimeout` of `node:timers/promises`, as the `await` transform waits
   */
  readonly sleep?: (ms: number) => Promise<unknown>;
  /**
   * The clock, ms.
   * @default `performance.now`
   */
  readonly now?: () => number;
  /** Stops the run early: no slot takes another message; the waits under way end first. */
  readonly signal?: AbortSignal;
}

/** What the oracle measured. Times in ms, rates per second. */
export interface OracleRun {
  readonly concurrency: number;
  readonly messages: number;
  /** Messages per second in the steady state (first slot taken to last slot taken). */
  readonly throughput: number;
  /** Mean of the waits as the oracle's clock measured them (timer overshoot included). */
  readonly meanMs: number;
  /** The whole run, drain included. */
  readonly seconds: number;
  /** When each message took a slot. */
  readonly startedAt: Float64Array;
  /** When each message's wait ended. */
  readonly endedAt: Float64Array;
}

/**
 * Run `latencies` (ms, in order) through the oracle with `concurrency` slots.
 *
 * @example
 * ```ts
 * const oracle = await runOracle(skewLatencies(scenario), scenario.concurrency);
 * const efficiency = engineRun.throughput / oracle.throughput;
 * ```
 */
export async function runOracle(latencies: ArrayLike<number>, concurrency: number, options: OracleOptions = {}): Promise<OracleRun> {
  if (!(concurrency >= 1) || !Number.isInteger(concurrency)) {
    throw new TypeError(`Expected \`concurrency\` to be an integer from 1 and up, got \`${String(concurrency)}\` (${typeof concurrency})`);
  }
  const sleep = options.sleep ?? ((ms: number) => timer(ms));
  const now = options.now ?? (() => performance.now());
  const n = latencies.length;
  const startedAt = new Float64Array(n);
  const endedAt = new Float64Array(n);
  let next = 0;
  const signal = options.signal;
  const slot = async (): Promise<void> => {
    while (next < n && signal?.aborted !== true) {
      const i = next++;
      startedAt[i] = now();
      await sleep(latencies[i] ?? 0);
      endedAt[i] = now();
    }
  };
  const begin = now();
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, slot));
  const end = now();
  const waits = Float64Array.from(startedAt, (start, i) => (endedAt[i] ?? start) - start);
  return {
    concurrency,
    messages: n,
    throughput: steadyState(startedAt, endedAt).throughput,
    meanMs: mean(waits),
    seconds: (end - begin) / 1000,
    startedAt,
    endedAt,
  };
}

/**
 * A wait that ends at the first turn of the event loop `ms` or more after it
 * began, as `Atomics.wait` and a busy loop end: a timer for all but the last
 * two milliseconds (a Node timer may end a millisecond early or late), then
 * turns of the loop until the time is up. Measured here: under 0.01 ms late
 * on average on an idle machine, where `setTimeout` ends 0.3 ms early.
 */
export async function exactWait(ms: number): Promise<void> {
  const start = performance.now();
  if (ms > 3) await timer(ms - 2);
  while (performance.now() - start < ms) await nextTurn();
}

/**
 * How the skew transform of `family` spends a message's latency, as the
 * oracle's wait: `setTimeout` for `await`, {@link exactWait} for `blocking`
 * and `cpu`.
 */
export function skewWait(family: 'await' | 'blocking' | 'cpu'): (ms: number) => Promise<unknown> {
  return family === 'await' ? (ms) => timer(ms) : exactWait;
}
