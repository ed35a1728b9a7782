import type { Check } from './check.js';

/** The middle value (the mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[half] as number) : ((sorted[half - 1] as number) + (sorted[half] as number)) / 2;
}

/** One setting of the shifting-capacity sweep, its figures the medians over its repeats. */
export interface SettingFigures {
  readonly name: string;
  /** The fixed concurrency; undefined for adaptive. */
  readonly fixed: number | undefined;
  readonly throughput: number;
  /** ms read to ack. */
  readonly latencyP50: number;
  readonly latencyP99: number;
}

/** The goals of issue 14, as printed beside the figures. */
export const goals = {
  /** Adaptive's throughput over the best fixed setting's, at least. */
  throughputRatio: 0.9,
  /** Adaptive's p50 (read to ack) over `fixed 256`'s, at most. */
  latencyRatio: 0.5,
  /** The CPU-bound target's settled median within `threads` times these. */
  cpuNear: [0.5, 2] as const,
  /** High-priority p50 with `priority` over FIFO's, at most. */
  priorityRatio: 0.25,
} as const;

const ratio = (n: number): string => (Number.isFinite(n) ? n.toFixed(3) : String(n));
const round = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : String(n));

/**
 * The shifting-capacity goals: adaptive's throughput ≥ 0.9 × the best fixed
 * setting's, and its p50 latency ≤ 0.5 × that of the fixed setting of
 * concurrency `max` (256). A ratio that cannot be formed (a setting missing,
 * a NaN) fails.
 */
export function capacityChecks(settings: readonly SettingFigures[], max: number): Check[] {
  const adaptive = settings.find((s) => s.fixed === undefined);
  const fixed = settings.filter((s) => s.fixed !== undefined);
  const best = fixed.reduce<SettingFigures | undefined>((b, s) => (b === undefined || s.throughput > b.throughput ? s : b), undefined);
  const top = fixed.find((s) => s.fixed === max);
  const throughput = adaptive !== undefined && best !== undefined ? adaptive.throughput / best.throughput : Number.NaN;
  const latency = adaptive !== undefined && top !== undefined ? adaptive.latencyP50 / top.latencyP50 : Number.NaN;
  return [
    {
      name: `shifting capacity: adaptive msg/s ÷ best fixed (${best?.name ?? 'none'}) ≥ ${goals.throughputRatio}`,
      pass: throughput >= goals.throughputRatio,
      detail: `${ratio(throughput)} (${round(adaptive?.throughput ?? Number.NaN)} ÷ ${round(best?.throughput ?? Number.NaN)})`,
    },
    {
      name: `shifting capacity: adaptive p50 ÷ fixed ${max} p50 (read→ack) ≤ ${goals.latencyRatio}`,
      pass: latency <= goals.latencyRatio,
      detail: `${ratio(latency)} (${(adaptive?.latencyP50 ?? Number.NaN).toFixed(1)} ms ÷ ${(top?.latencyP50 ?? Number.NaN).toFixed(1)} ms)`,
    },
  ];
}

/** CPU-bound: the target's settled median (second half) within `threads × [0.5, 2]`. */
export function cpuCheck(settledTarget: number, threads: number): Check {
  const [low, high] = goals.cpuNear;
  return {
    name: `CPU-bound: settled target within ${low}×–${high}× threads (${threads * low}–${threads * high})`,
    pass: settledTarget >= threads * low && settledTarget <= threads * high,
    detail: `${settledTarget} (median of the second half; threads ${threads})`,
  };
}

/** Await-bound: the target at the end of the run is `max`. */
export function awaitCheck(finalTarget: number, max: number, toMax: number | undefined): Check {
  return {
    name: `await-bound: target rises to max (${max})`,
    pass: finalTarget === max,
    detail: `final ${finalTarget}; first at max after ${toMax === undefined ? 'never' : `${toMax.toFixed(2)} s`}`,
  };
}

/** High-priority latency figures of one mode's runs (medians over its repeats), and the low-priority counts. */
export interface PriorityFigures {
  readonly name: string;
  readonly highP50: number;
  readonly lowSent: number;
  readonly lowCompleted: number;
}

/** Priority: high p50 under `mode` ≤ 0.25 × FIFO's high p50. */
export function priorityCheck(fifo: PriorityFigures, mode: PriorityFigures): Check {
  const r = mode.highP50 / fifo.highP50;
  return {
    name: `priority (${mode.name}): high p50 ÷ FIFO's (read→ack) ≤ ${goals.priorityRatio}`,
    pass: r <= goals.priorityRatio,
    detail: `${ratio(r)} (${mode.highP50.toFixed(1)} ms ÷ ${fifo.highP50.toFixed(1)} ms)`,
  };
}

/** Priority: every low-priority message of the `mode` runs completed. */
export function lowCompletedCheck(mode: PriorityFigures): Check {
  return {
    name: `priority (${mode.name}): every low-priority message completed`,
    pass: mode.lowSent > 0 && mode.lowCompleted === mode.lowSent,
    detail: `${mode.lowCompleted} of ${mode.lowSent}`,
  };
}
