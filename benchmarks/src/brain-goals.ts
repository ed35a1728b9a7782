import type { Check } from './check.js';

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
  /**
   * The CPU-bound target's settled median within `threads` times these: at
   * least one message a thread (below that a thread idles), at most twice.
   */
  cpuNear: [1, 2] as const,
  /** CPU-bound: adaptive's throughput over that of fixed concurrency = threads, at least. */
  cpuThroughputRatio: 0.9,
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

/**
 * CPU-bound: the target's settled median (second half) within
 * `threads × [1, 2]`, and adaptive's throughput ≥ 0.9 × that of fixed
 * concurrency = threads (medians over the repeats). A target stuck below
 * the thread count fails the first (a thread idles), one that keeps the
 * threads busy but thrashes fails the second; a NaN fails both.
 */
export function cpuChecks(settledTarget: number, threads: number, throughput: number, fixedThroughput: number): Check[] {
  const [low, high] = goals.cpuNear;
  const r = throughput / fixedThroughput;
  return [
    {
      name: `CPU-bound: settled target within ${low}×–${high}× threads (${threads * low}–${threads * high})`,
      pass: settledTarget >= threads * low && settledTarget <= threads * high,
      detail: `${settledTarget} (median of the second half; threads ${threads})`,
    },
    {
      name: `CPU-bound: adaptive msg/s ÷ fixed ${threads} ≥ ${goals.cpuThroughputRatio}`,
      pass: r >= goals.cpuThroughputRatio,
      detail: `${ratio(r)} (${round(throughput)} ÷ ${round(fixedThroughput)})`,
    },
  ];
}

/** Await-bound: the target at the end of the run is `max`. */
export function awaitCheck(finalTarget: number, max: number, toMax: number | undefined): Check {
  return {
    name: `await-bound: target rises to max (${max})`,
    pass: finalTarget === max,
    detail: `final ${finalTarget}; first at max after ${toMax === undefined ? 'never' : `${toMax.toFixed(2)} s`}`,
  };
}

/** High-priority latency of one mode's runs of the overload scenario: the median over its repeats. */
export interface PriorityFigures {
  readonly name: string;
  readonly highP50: number;
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

/** What the starvation checks read of one run. */
export interface StarvationFigures {
  readonly name: string;
  /** Which repeat: an aging run is bounded by the FIFO run of the same one. */
  readonly round: number;
  readonly lowSent: number;
  /** Low-priority messages acked while high-priority ones still arrived (before the source's last item). */
  readonly lowWhileHighs: number;
  /** ms read to ack, the longest low-priority wait. */
  readonly lowMaxWait: number;
  /** ms read to ack, the longest of any message (a FIFO run's: the wait through the full buffer). */
  readonly maxWait: number;
}

/**
 * The wait bound of an aging run: a message `levels` below the rest ranks
 * with a fresh arrival once it has waited `levels × aging` ms; from then on
 * only messages already in the buffer are ahead of it, at most one full
 * buffer, which the FIFO run's longest wait measures (the same buffer,
 * source and workers, served in read order). NaN when that figure is NaN.
 */
export function starvationBound(levels: number, aging: number, fifoMaxWait: number): number {
  return levels * aging + fifoMaxWait;
}

/**
 * The bound is tight by construction (the last low-priority message waits
 * out the aging and then about one full buffer, just as the FIFO run's
 * longest wait does), and it compares two runs measured apart: each wait
 * carries its own timer jitter. The check allows this share of the bound
 * for it.
 */
export const starvationJitter = 0.05;

/**
 * Starvation with aging: in every `aged` run, every low-priority message
 * completed while high-priority ones still arrived (none sent: no pass),
 * and the longest low-priority wait is within {@link starvationBound}, the
 * FIFO run of the same round giving the buffer's wait (none: no pass).
 */
export function starvationChecks(aged: readonly StarvationFigures[], fifo: readonly StarvationFigures[], levels: number, aging: number): Check[] {
  const fifoWaits = aged.map((run) => fifo.find((f) => f.round === run.round)?.maxWait ?? Number.NaN);
  const bounds = fifoWaits.map((wait) => starvationBound(levels, aging, wait));
  const name = aged[0]?.name ?? 'aging';
  return [
    {
      name: `starvation (${name}): every low-priority message completed while high-priority ones still arrived`,
      pass: aged.length > 0 && aged.every((run) => run.lowSent > 0 && run.lowWhileHighs === run.lowSent),
      detail: aged.length === 0 ? 'no run' : aged.map((run) => `${run.lowWhileHighs} of ${run.lowSent}`).join('; '),
    },
    {
      name: `starvation (${name}): low max wait ≤ (Δp × priorityAging + FIFO max wait) × ${1 + starvationJitter} (${levels} × ${aging} ms + the FIFO run's of the same round; ${starvationJitter * 100}% for the two runs' jitter)`,
      pass: aged.length > 0 && aged.every((run, i) => run.lowMaxWait <= (bounds[i] as number) * (1 + starvationJitter)),
      detail: aged.length === 0 ? 'no run' : aged.map((run, i) => `${round(run.lowMaxWait)} ms (bound ${round(levels * aging)} + ${round(fifoWaits[i] as number)} = ${round(bounds[i] as number)} ms)`).join('; '),
    },
  ];
}
