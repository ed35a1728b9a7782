import { performance } from 'node:perf_hooks';
import { recordRun, recordsUntil } from './brain-run.js';
import { firstReach, medianTarget } from './brain-series.js';

const sleepUrl = new URL('./workers/sleep.js', import.meta.url);

/** How the await-bound scenario runs. */
export interface AwaitPlan {
  readonly threads: number;
  /** s the source keeps giving messages. */
  readonly seconds: number;
  /** ms each message awaits. */
  readonly sleepMs: number;
  readonly min: number;
  readonly max: number;
}

/** One run of the await-bound scenario. */
export interface AwaitRun {
  /** `adaptive` or `fixed <max>`. */
  readonly name: string;
  readonly messages: number;
  readonly throughput: number;
  /** The target when the run ended. */
  readonly finalTarget: number;
  /** s from the first read until the target first reached `max`; undefined if it never did. */
  readonly toMax: number | undefined;
  /** The time-weighted median of the target over the run's second half (probes left out). */
  readonly settledTarget: number;
  /** `[s from the first read, target]`, a step per change. */
  readonly series: readonly (readonly [number, number])[];
}

/**
 * The await-bound scenario's one run: every message awaits a timer (no CPU,
 * no capacity limit anywhere but the engine's own), for `seconds` of
 * source; `adaptive` (`{ min, max }`) or fixed at `max` as the baseline.
 */
export async function runAwait(plan: AwaitPlan, adaptive: boolean): Promise<AwaitRun> {
  const concurrency = adaptive ? { min: plan.min, max: plan.max } : plan.max;
  // A generator's body runs at the first read, so the source's time starts there, not while the workers start.
  const source = (function* () {
    yield* recordsUntil(performance.now() + plan.seconds * 1000, { ms: plan.sleepMs });
  })();
  const run = await recordRun({ transform: sleepUrl, threads: plan.threads, concurrency }, source);
  const origin = run.firstReadAt;
  const reached = firstReach(run.series, plan.max);
  return {
    name: adaptive ? 'adaptive' : `fixed ${plan.max}`,
    messages: run.messages,
    throughput: run.throughput,
    finalTarget: run.series.at(-1)?.target ?? Number.NaN,
    toMax: reached === undefined ? undefined : Math.max(0, (reached - origin) / 1000),
    settledTarget: medianTarget(run.series, origin + (run.lastAckAt - origin) / 2, run.lastAckAt),
    series: run.series.map((p) => [Math.max(0, (p.at - origin) / 1000), p.target] as const),
  };
}
