import { startDownstream, downstreamVariable } from './brain-downstream-process.js';
import { recordRun, records } from './brain-run.js';
import type { RecordedRun } from './brain-run.js';
import { settleBands, settledLevel, settleTime } from './brain-series.js';
import type { SettledLevel } from './brain-series.js';
import type { DownstreamPhase } from './brain-wire.js';
import { distribution } from './distribution.js';

const downstreamUrl = new URL('./workers/downstream.js', import.meta.url);

/** The shifting-capacity workload: the downstream's phases and service time, and the engine's threads. */
export interface CapacityPlan {
  readonly serviceMs: number;
  readonly phases: readonly DownstreamPhase[];
  readonly threads: number;
  /** The adaptive setting's bounds. */
  readonly min: number;
  readonly max: number;
}

/** `'adaptive'` (`concurrency: { min, max }`) or a fixed concurrency. */
export type CapacitySetting = 'adaptive' | number;

/** One phase as one run saw it: times in s from the run's first read. */
export interface PhaseFigures {
  readonly index: number;
  readonly capacity: number;
  readonly start: number;
  readonly end: number;
  /** Where the adaptive target settled: its level over the phase's second half (adaptive only). */
  readonly level?: SettledLevel;
  /** ms from the phase's start until the target stays within `level.median` ± max(share × it, 2), for each share of `settleBands` (25%, 50%) (adaptive only; null: never). */
  readonly settleMs?: readonly (number | undefined)[];
}

/** One setting's run of the shifting-capacity scenario. */
export interface CapacityRun {
  /** `adaptive` or `fixed <n>`. */
  readonly name: string;
  readonly setting: CapacitySetting;
  readonly messages: number;
  /** s from the first read to the last ack. */
  readonly seconds: number;
  readonly throughput: number;
  /** ms, read to ack. */
  readonly latencyP50: number;
  readonly latencyP99: number;
  /** ms, dispatch to completion (the try's latency as the controller sees it). */
  readonly tryP50: number;
  readonly tryP99: number;
  readonly phases: readonly PhaseFigures[];
  /** The target over the run: `[s from the first read, target]`, a step per change. */
  readonly series: readonly (readonly [number, number])[];
}

/** The name a setting goes by in the tables. */
export function settingName(setting: CapacitySetting): string {
  return setting === 'adaptive' ? 'adaptive' : `fixed ${setting}`;
}

/**
 * One setting over the whole shifting-capacity workload: a fresh
 * downstream process (all slots free, phase 0 not begun), a fresh engine
 * whose workers each connect to it, one message per downstream call,
 * as many as the phases' calls added up.
 */
export async function runCapacity(plan: CapacityPlan, setting: CapacitySetting): Promise<CapacityRun> {
  const downstream = await startDownstream(plan.phases, plan.serviceMs);
  let run: RecordedRun;
  try {
    process.env[downstreamVariable] = downstream.path;
    const total = plan.phases.reduce((sum, p) => sum + p.calls, 0);
    const concurrency = setting === 'adaptive' ? { min: plan.min, max: plan.max } : setting;
    run = await recordRun({ transform: downstreamUrl, threads: plan.threads, concurrency }, records(total, (i) => i));
  } finally {
    delete process.env[downstreamVariable];
    await downstream.close();
  }
  if (downstream.phases.length !== plan.phases.length) {
    throw new Error(`bench:brain: the downstream began ${downstream.phases.length} of ${plan.phases.length} phases`);
  }
  const origin = run.firstReadAt;
  const seconds = (at: number) => (at - origin) / 1000;
  const phases = downstream.phases.map((phase, i): PhaseFigures => {
    const end = downstream.phases[i + 1]?.at ?? run.lastAckAt;
    const figures = { index: phase.index, capacity: phase.capacity, start: seconds(phase.at), end: seconds(end) };
    if (setting !== 'adaptive') return figures;
    const level = settledLevel(run.series, phase.at, end);
    return { ...figures, level, settleMs: settleBands.map((band) => settleTime(run.series, phase.at, end, level.median, band)) };
  });
  const latency = distribution(run.readToAck);
  const tries = distribution(run.dispatchToDone);
  return {
    name: settingName(setting),
    setting,
    messages: run.messages,
    seconds: seconds(run.lastAckAt),
    throughput: run.throughput,
    latencyP50: latency.p50,
    latencyP99: latency.p99,
    tryP50: tries.p50,
    tryP99: tries.p99,
    phases,
    series: run.series.map((p) => [Math.max(0, seconds(p.at)), p.target] as const),
  };
}

/** The downstream's phases: each capacity for `seconds` at that capacity (`capacity / serviceMs` calls per ms). */
export function capacityPhases(capacities: readonly number[], seconds: number, serviceMs: number): DownstreamPhase[] {
  return capacities.map((capacity) => ({ capacity, calls: Math.max(1, Math.round((capacity * seconds * 1000) / serviceMs)) }));
}
