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

/** Hooks into {@link runBench}, for progress. */
export interface BenchEvents<R> {
  readonly starting?: (step: BenchStep) => void;
  readonly finished?: (step: BenchStep, run: R) => void;
}

/**
 * Run every setting `repeat` times, one after another in this process, the
 * order alternating between repeats ({@link runOrder}); return one run per
 * setting, in the settings' order: the median of its repeats ({@link medianRun}).
 */
export async function runBench<R extends BenchRun>(
  settings: readonly BenchSetting[],
  repeat: number,
  runOne: (setting: BenchSetting, step: BenchStep) => Promise<R>,
  events: BenchEvents<R> = {},
): Promise<R[]> {
  const runs = settings.map((): R[] => []);
  const steps = settings.length * repeat;
  let step = 0;
  for (let r = 0; r < repeat; r++) {
    for (const index of runOrder(settings.map((_, i) => i), r)) {
      const setting = settings[index] as BenchSetting;
      const at: BenchStep = { setting, step: ++step, steps, repeat: r };
      events.starting?.(at);
      const run = await runOne(setting, at);
      events.finished?.(at, run);
      runs[index]?.push(run);
    }
  }
  return runs.map((repeats) => medianRun(repeats));
}
