import { percentile } from './stats.js';

/**
 * The throughput of a run in its steady state, the one window definition the
 * engine's runs and the oracle share so that their figures can be divided:
 *
 * ```
 * reads:  |r0 r1 r2 ............................ r(n-1)|  drain  |
 *         from                                       to
 * acks counted:  those at or after `from` and at or before `to`
 * ```
 *
 * After the last read the number in flight can only fall (the drain of a
 * finite input), so the window ends there. Messages are read in index order.
 * An input the engine reads ahead of its workers almost at once (not many
 * more messages than the concurrency) leaves the window short and holding
 * few acks: its `acked` says how much the figure rests on.
 */
export interface SteadyState {
  /** When the first message was read, ms. */
  readonly from: number;
  /** When the last message was read, ms. */
  readonly to: number;
  /** Messages acked inside the window. */
  readonly acked: number;
  /** `acked / (to - from)`, per second. */
  readonly throughput: number;
}

/**
 * The {@link SteadyState} of a run from each message's read and ack time
 * (ms, message `i` at index `i`). The oracle passes when a message took a
 * slot as its read and when its timer fired as its ack.
 */
export function steadyState(readAt: ArrayLike<number>, ackedAt: ArrayLike<number>): SteadyState {
  const n = readAt.length;
  const from = readAt[0] ?? 0;
  const to = readAt[n - 1] ?? 0;
  let acked = 0;
  for (let i = 0; i < ackedAt.length; i++) {
    const ack = ackedAt[i] ?? Number.NaN;
    if (ack >= from && ack <= to) acked++;
  }
  return { from, to, acked, throughput: (acked / windowMs(from, to)) * 1000 };
}

/** Per-message times (ms) of one engine run; message `i` at index `i`. */
export interface SkewTimes {
  readonly readAt: ArrayLike<number>;
  readonly ackedAt: ArrayLike<number>;
  /** When the transform started and ended the message, as the worker measured it (0: it never reached a worker). */
  readonly startedAt: ArrayLike<number>;
  readonly endedAt: ArrayLike<number>;
  /** `now - watermark` at each ack. */
  readonly lags: ArrayLike<number>;
  /** When the measured run started and ended. */
  readonly begin: number;
  readonly end: number;
}

/** The figures every engine run has, whatever its transform. Times in ms, rates per second. */
export interface RunFigures {
  /** Messages acked per second in the {@link SteadyState}. */
  readonly throughput: number;
  /**
   * Messages per second from the first read to the end of the run, the drain
   * included: every message counts, in every mode, so settings can be
   * ranked on it whatever the input's length. (It starts at the first read,
   * not when the run was asked for: the transport's start is not the run's.)
   */
  readonly wallThroughput: number;
  /**
   * Messages acked inside the {@link SteadyState} window: few, and
   * `throughput` rests on little. Always set by {@link summarizeRun};
   * optional so that figures made elsewhere (before it existed) still type.
   */
  readonly steadyAcked?: number;
  /**
   * Time-averaged messages inside the transform during the steady state,
   * divided by `concurrency`: how busy the slots kept the workers. Derived
   * from the workers' own start and end times, the timestamps the throughput
   * rests on too: another view of the same run, not an independent check.
   */
  readonly workerBusyShare: number;
  /** End-to-end latency (read to ack) percentiles. */
  readonly latencyP50: number;
  readonly latencyP99: number;
  /** Watermark lag percentiles, sampled at every ack. */
  readonly lagP50: number;
  readonly lagP99: number;
  readonly failed: number;
  /** The run from its first read to its end, in seconds (`wallThroughput`'s window). */
  readonly seconds: number;
}

/** What {@link summarizeRun} is given. */
export interface RunSummaryInput {
  readonly concurrency: number;
  /** Failed records of the run. */
  readonly failed: number;
  readonly times: SkewTimes;
}

/** The figures of one run from its per-message times (pure arithmetic). */
export function summarizeRun(input: RunSummaryInput): RunFigures & { readonly steadyAcked: number; readonly steady: SteadyState } {
  const t = input.times;
  const n = t.readAt.length;
  const steady = steadyState(t.readAt, t.ackedAt);
  let busy = 0;
  const e2e = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const start = Math.max(steady.from, t.startedAt[i] ?? 0);
    const end = Math.min(steady.to, t.endedAt[i] ?? 0);
    busy += Math.max(0, end - start);
    e2e[i] = (t.ackedAt[i] ?? 0) - (t.readAt[i] ?? 0);
  }
  const wall = windowMs(steady.from, t.end);
  return {
    steady,
    throughput: steady.throughput,
    wallThroughput: (n / wall) * 1000,
    steadyAcked: steady.acked,
    workerBusyShare: busy / windowMs(steady.from, steady.to) / input.concurrency,
    latencyP50: percentile(e2e, 50),
    latencyP99: percentile(e2e, 99),
    lagP50: percentile(t.lags, 50),
    lagP99: percentile(t.lags, 99),
    failed: input.failed,
    seconds: wall / 1000,
  };
}

/** A window of at least a nanosecond, so that one message does not divide by zero. */
function windowMs(from: number, to: number): number {
  return Math.max(to - from, 1e-6);
}
