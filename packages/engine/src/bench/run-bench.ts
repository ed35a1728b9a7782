import type { BenchRun, BenchSetting } from './bench-run.js';
import { runOrder } from './bench-run.js';
import { medianRun } from './median-run.js';

/** Where a bench is: which setting, the `step`th of `steps` (from 1), in which repeat (from 0). */
export interface BenchStep {
  readonly setting: BenchSetting;
  readonly step: number;
  readonly steps: number;
  readonly repeat: number;
}

/** Hooks into {@link runBench}, for progress, and a signal that stops it. */
export interface BenchEvents<R> {
  readonly starting?: (step: BenchStep) => void;
  readonly finished?: (step: BenchStep, run: R) => void;
  /**
   * Stops the bench: no further setting starts, and the one running (which
   * `runOne` is given the signal to stop) is left out as cut short.
   */
  readonly signal?: AbortSignal;
}

/** A setting's runs: each repeat's in the order they ran, and their median, the run the table shows. */
export interface SettingRuns<R> {
  readonly median: R;
  readonly repeats: readonly R[];
}

/** The runs of every setting so far, in the settings' order. */
export class BenchRuns<R extends BenchRun> {
  readonly #repeats: R[][];

  constructor(settings: readonly BenchSetting[]) {
    this.#repeats = settings.map((): R[] => []);
  }

  add(index: number, run: R): void {
    this.#repeats[index]?.push(run);
  }

  /** The settings with at least one finished run, each as the median of those runs ({@link medianRun}). */
  finished(): SettingRuns<R>[] {
    return this.#repeats.filter((repeats) => repeats.length > 0).map((repeats) => ({ median: medianRun(repeats), repeats }));
  }
}

/** What {@link runBench} ran: every setting's runs, and the step a stop cut short (if one was running). */
export interface BenchResult<R> {
  readonly settings: readonly SettingRuns<R>[];
  readonly cut?: BenchStep;
}

/**
 * Run every setting `repeat` times, one after another in this process, the
 * order alternating between repeats ({@link runOrder}), into `runs`; return
 * each setting's runs in the settings' order. When `events.signal` aborts,
 * the step running is dropped (it was cut short) and no other starts.
 */
export async function runBench<R extends BenchRun>(
  settings: readonly BenchSetting[],
  repeat: number,
  runOne: (setting: BenchSetting, step: BenchStep, signal: AbortSignal | undefined) => Promise<R>,
  events: BenchEvents<R> = {},
  runs: BenchRuns<R> = new BenchRuns(settings),
): Promise<BenchResult<R>> {
  const steps = settings.length * repeat;
  let step = 0;
  const stopped = (): boolean => events.signal?.aborted === true;
  for (let r = 0; r < repeat; r++) {
    for (const index of runOrder(settings.map((_, i) => i), r)) {
      const setting = settings[index] as BenchSetting;
      const at: BenchStep = { setting, step: ++step, steps, repeat: r };
      if (stopped()) return { settings: runs.finished() };
      events.starting?.(at);
      const run = await runOne(setting, at, events.signal);
      if (stopped()) return { settings: runs.finished(), cut: at };
      events.finished?.(at, run);
      runs.add(index, run);
    }
  }
  return { settings: runs.finished() };
}
