import { scenarioKey } from '../workload/skew-scenario.js';
import type { SkewRun } from '../workload/skew-scenario.js';

/** One scenario's runs: the same seeded latencies in each mode, either may be missing. */
export interface ScenarioPair {
  /** Every parameter: `await · lognormal · 32 in flight · 10 ms mean · 3,200 msg`. */
  readonly label: string;
  /** What tells the scenarios of one suite apart: `await · lognormal · 32`. */
  readonly short: string;
  readonly async?: SkewRun;
  readonly batch?: SkewRun;
}

/**
 * Runs grouped by scenario (everything but the mode), in the order the
 * scenarios first appear. A second run of a mode already taken starts a new pair.
 */
export function scenarioPairs(runs: readonly SkewRun[]): ScenarioPair[] {
  const pairs: { key: string; label: string; short: string; async?: SkewRun; batch?: SkewRun }[] = [];
  for (const run of runs) {
    const key = scenarioKey(run);
    const pair = pairs.find((p) => p.key === key && p[run.mode] === undefined);
    if (pair === undefined) pairs.push({ key, label: scenarioLabel(run), short: `${run.family} · ${run.distribution} · ${run.concurrency}`, [run.mode]: run });
    else pair[run.mode] = run;
  }
  return pairs.map(({ key: _key, ...pair }) => pair);
}

function scenarioLabel(run: SkewRun): string {
  return `${run.family} · ${run.distribution} · ${run.concurrency} in flight · ${run.meanMs} ms mean · ${run.messages.toLocaleString('en-US')} msg`;
}
