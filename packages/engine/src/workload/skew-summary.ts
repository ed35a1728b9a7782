import { summarizeRun } from '../measure/run-summary.js';
import type { RunFigures, SkewTimes } from '../measure/run-summary.js';
import { mean } from '../measure/stats.js';

export { steadyState } from '../measure/run-summary.js';
export type { SkewTimes, SteadyState } from '../measure/run-summary.js';

/** What {@link summarizeSkew} is given besides the times. */
export interface SkewSummaryInput {
  readonly concurrency: number;
  /** The seeded latencies the transform was asked for, ms. */
  readonly latencies: ArrayLike<number>;
  /** The latencies the transform reported, ms (one per output). */
  readonly measured: ArrayLike<number>;
  readonly failed: number;
  /** The oracle's steady-state throughput for the same latencies and concurrency, per second. */
  readonly oracleThroughput: number;
  readonly times: SkewTimes;
}

/** The figures of one skew run: those of every run ({@link RunFigures}), and the oracle's. Times in ms, rates per second. */
export interface SkewFigures extends RunFigures {
  /** The oracle's throughput on the same latencies (see `runOracle`). */
  readonly oracleThroughput: number;
  /** `throughput / oracleThroughput`. */
  readonly efficiency: number;
  /** Mean latency as the transform measured it, start to end. */
  readonly measuredMeanMs: number;
  /** Mean of the seeded latencies the transform was asked for. */
  readonly sampledMeanMs: number;
}

/** The figures of one skew run from its per-message times (pure arithmetic; see `summarizeRun`). */
export function summarizeSkew(input: SkewSummaryInput): SkewFigures {
  const { steady: _steady, ...figures } = summarizeRun(input);
  return {
    throughput: figures.throughput,
    wallThroughput: figures.wallThroughput,
    steadyAcked: figures.steadyAcked,
    oracleThroughput: input.oracleThroughput,
    efficiency: figures.throughput / input.oracleThroughput,
    workerBusyShare: figures.workerBusyShare,
    measuredMeanMs: mean(input.measured),
    sampledMeanMs: mean(input.latencies),
    latencyP50: figures.latencyP50,
    latencyP99: figures.latencyP99,
    lagP50: figures.lagP50,
    lagP99: figures.lagP99,
    failed: figures.failed,
    seconds: figures.seconds,
  };
}
