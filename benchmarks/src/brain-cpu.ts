import { calibrate } from './cpu-scaling.js';
import hash from './workers/hash.js';
import { recordRun, records } from './brain-run.js';
import { medianTarget } from './brain-series.js';

const hashUrl = new URL('./workers/hash.js', import.meta.url);

/** One run of the CPU-bound scenario. */
export interface CpuRun {
  /** `adaptive` or `fixed <threads>`. */
  readonly name: string;
  readonly messages: number;
  /** s from the first read to the last ack. */
  readonly seconds: number;
  readonly throughput: number;
  /** The time-weighted median of the target over the run's second half (probes left out). */
  readonly settledTarget: number;
  /** The target when the run ended. */
  readonly finalTarget: number;
  /** `[s from the first read, target]`, a step per change. */
  readonly series: readonly (readonly [number, number])[];
}

/** How the CPU-bound scenario runs: `rounds` of the hash per message (about `ms` on this machine). */
export interface CpuPlan {
  readonly threads: number;
  readonly messages: number;
  readonly min: number;
  readonly max: number;
  readonly rounds: number;
}

/**
 * Hash rounds that take about `ms` on this thread: the transform's fixed
 * work, so that threads sharing a core really take longer. On a shared
 * machine one timing can be slowed by anything else running, so it takes
 * the fastest of five timings of 20 × that work.
 */
export function cpuRounds(ms: number): number {
  const rounds = calibrate(ms) * 20;
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    hash(rounds);
    fastest = Math.min(fastest, performance.now() - start);
  }
  return Math.max(1, Math.round((rounds * ms) / fastest));
}

/**
 * The CPU-bound scenario's one run: a sync transform of fixed work (SHA-256
 * over 16 KiB blocks, calibrated to about 1 ms) on `threads` threads,
 * `adaptive` (`{ min, max }`) or at a fixed concurrency of `threads`.
 */
export async function runCpu(plan: CpuPlan, adaptive: boolean): Promise<CpuRun> {
  const concurrency = adaptive ? { min: plan.min, max: plan.max } : plan.threads;
  const run = await recordRun({ transform: hashUrl, threads: plan.threads, concurrency }, records(plan.messages, () => plan.rounds));
  const origin = run.firstReadAt;
  const middle = origin + (run.lastAckAt - origin) / 2;
  return {
    name: adaptive ? 'adaptive' : `fixed ${plan.threads}`,
    messages: run.messages,
    seconds: (run.lastAckAt - origin) / 1000,
    throughput: run.throughput,
    settledTarget: medianTarget(run.series, middle, run.lastAckAt),
    finalTarget: run.series.at(-1)?.target ?? Number.NaN,
    series: run.series.map((p) => [Math.max(0, (p.at - origin) / 1000), p.target] as const),
  };
}
