import type { CapacityRun } from './brain-capacity.js';
import type { AwaitRun } from './brain-await.js';
import type { CpuRun } from './brain-cpu.js';
import { median } from './distribution.js';
import type { SettingFigures } from './brain-goals.js';
import type { PriorityRun } from './brain-priority.js';
import type { StarvationRun } from './brain-starvation.js';
import { bandFloor, settleBands } from './brain-series.js';

/** A table as cells: the Markdown and the HTML report render the same ones. */
export interface Cells {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '–');
const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '–');
const x = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '–');
const percent = (share: number): string => (Number.isFinite(share) ? `${(share * 100).toFixed(1)}%` : '–');

/** Each setting's figures: the medians over its repeats, in the order the settings first ran. */
export function settingFigures(runs: readonly CapacityRun[]): SettingFigures[] {
  const names = [...new Set(runs.map((r) => r.name))];
  return names.map((name) => {
    const of = runs.filter((r) => r.name === name);
    const setting = (of[0] as CapacityRun).setting;
    return {
      name,
      fixed: setting === 'adaptive' ? undefined : setting,
      throughput: median(of.map((r) => r.throughput)),
      latencyP50: median(of.map((r) => r.latencyP50)),
      latencyP99: median(of.map((r) => r.latencyP99)),
    };
  });
}

/**
 * Shifting capacity, one row per setting: throughput, its share of the
 * best fixed setting's, read-to-ack and try latencies, and how long each
 * phase lasted (the same calls in each, so a longer phase served them slower).
 */
export function capacityCells(runs: readonly CapacityRun[]): Cells {
  const settings = settingFigures(runs);
  const best = Math.max(...settings.filter((s) => s.fixed !== undefined).map((s) => s.throughput));
  const phases = runs[0]?.phases ?? [];
  return {
    header: ['setting', 'runs', 'msg/s', '÷ best fixed', 'p50 ms', 'p99 ms', 'try p50 ms', 'try p99 ms', ...phases.map((p) => `K ${p.capacity} s`)],
    rows: settings.map((s) => {
      const of = runs.filter((r) => r.name === s.name);
      const lasted = phases.map((_, i) => x(median(of.map((r) => (r.phases[i] === undefined ? Number.NaN : r.phases[i].end - r.phases[i].start)))));
      return [
        s.name,
        String(of.length),
        int(s.throughput),
        x(s.throughput / best),
        ms(s.latencyP50),
        ms(s.latencyP99),
        ms(median(of.map((r) => r.tryP50))),
        ms(median(of.map((r) => r.tryP99))),
        ...lasted,
      ];
    }),
  };
}

/**
 * Shifting capacity, the adaptive runs' phases: when each began, how long
 * the target took to settle within the stated band (±25% of its level, at
 * least ±2) and the wider ±50% (at least ±2), the level (the second half's
 * median), the band around it, the share of the second half's time the
 * target spent in it, the lowest and highest target held then, p10–p90
 * over the median, and the time in probes (left out of the rest).
 */
export function phaseCells(runs: readonly CapacityRun[]): Cells {
  const rows: string[][] = [];
  runs
    .filter((r) => r.setting === 'adaptive')
    .forEach((run, i) => {
      for (const phase of run.phases) {
        const level = phase.level;
        if (level === undefined) continue;
        const settle = (phase.settleMs ?? []).map((t) => (t === undefined ? 'not settled' : int(t)));
        rows.push([
          String(i + 1),
          `${phase.index} (K ${phase.capacity})`,
          x(phase.start),
          x(phase.end - phase.start),
          ...settle,
          String(level.median),
          `±${x(level.halfWidth)}`,
          percent(level.inBand),
          `${level.min}–${level.max}`,
          `${x(level.p10 / level.median)}–${x(level.p90 / level.median)}`,
          percent(level.probing),
          x(level.median / phase.capacity),
        ]);
      }
    });
  return {
    header: [
      'run',
      'phase',
      'began s',
      'lasted s',
      ...settleBands.map((b) => `settle ms ±max(${b * 100}%, ${bandFloor})`),
      'level (median)',
      'band',
      'in band',
      'min–max',
      'p10–p90 ÷ median',
      'probing',
      'level ÷ K',
    ],
    rows,
  };
}

/** CPU-bound: throughput and where the target settled, per run. */
export function cpuCells(runs: readonly CpuRun[], threads: number): Cells {
  const fixed = median(runs.filter((r) => r.name !== 'adaptive').map((r) => r.throughput));
  return {
    header: ['run', 'msg/s', '÷ fixed', 'settled target', '÷ threads', 'final target'],
    rows: runs.map((r) => [r.name, int(r.throughput), x(r.throughput / fixed), String(r.settledTarget), x(r.settledTarget / threads), String(r.finalTarget)]),
  };
}

/** Await-bound: throughput, the final target and when it first reached max, per run. */
export function awaitCells(runs: readonly AwaitRun[]): Cells {
  return {
    header: ['run', 'messages', 'msg/s', 'final target', 'first at max, s', 'settled target'],
    rows: runs.map((r) => [r.name, int(r.messages), int(r.throughput), String(r.finalTarget), r.toMax === undefined ? 'never' : x(r.toMax), String(r.settledTarget)]),
  };
}

/** Priority under overload: each class's read-to-ack latency, per run. */
export function priorityCells(runs: readonly PriorityRun[]): Cells {
  return {
    header: ['run', 'msg/s', 'high p50 ms', 'high p99 ms', 'low p50 ms', 'low p99 ms', 'low max ms', 'low completed'],
    rows: runs.map((r) => [r.name, int(r.throughput), ms(r.high.p50), ms(r.high.p99), ms(r.low.p50), ms(r.low.p99), ms(r.low.max), `${r.low.completed} of ${r.low.sent}`]),
  };
}

/**
 * Starvation, per run: how long messages kept arriving, the longest wait of
 * any message, one full buffer's time at the run's pace, and the
 * low-priority messages: completed while high-priority ones still arrived,
 * starved until they ended, the longest wait, and the last one's ack after
 * the source's last item (negative: before it).
 */
export function starvationCells(runs: readonly StarvationRun[]): Cells {
  return {
    header: ['run', 'round', 'msg/s', 'arrivals s', 'max wait ms', 'input ÷ msg/s ms', 'low done while highs arrived', 'low starved until highs ended', 'low max wait ms', 'last low ack − last read ms'],
    rows: runs.map((r) => [
      r.name,
      String(r.round + 1),
      int(r.throughput),
      x(r.highsFor),
      int(r.maxWait),
      int(r.drainMs),
      `${r.lowWhileHighs} of ${r.lowSent}`,
      String(r.lowSent - r.lowWhileHighs),
      int(r.lowMaxWait),
      int(r.lastLowAfterEnd),
    ]),
  };
}
