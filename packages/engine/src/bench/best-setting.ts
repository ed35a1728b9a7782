import { plural } from '../report/format.js';
import type { BenchRun } from './bench-run.js';
import { settingName } from './bench-run.js';

/** Throughputs this close to the highest (a share of it) count as tied: a run's throughput moves by a few percent from run to run. */
export const throughputTolerance = 0.05;

/** Decimals the table prints: the rule is applied to the figures as printed. */
export const printedDigits = { wallThroughput: 0, latencyP99: 1 } as const;

/** The rule {@link bestSetting} applies, as the CLI and the report state it. */
export const bestRule =
  `among the settings with the fewest failed records, the highest wall msg/s wins; ` +
  `settings within ${throughputTolerance * 100}% of that wall msg/s count as tied, and the lowest p99 latency among them wins ` +
  `(then the higher wall msg/s, then the first in the table); applied to the figures as printed; ` +
  'wall msg/s, because every setting measures it over all its messages, whatever the input\'s length; ' +
  'no setting is best when every record failed in every setting';

/** The best setting and why, in one line. */
export interface Best {
  /** Its index in the runs given; none when no setting measured the transform (every record failed). */
  readonly index: number | undefined;
  readonly why: string;
}

type Ranked = Pick<BenchRun, 'mode' | 'concurrency' | 'wallThroughput' | 'latencyP99' | 'failed' | 'messages'>;

/**
 * Pick the best of `runs` by {@link bestRule}: a general rule, the same for
 * every input: throughput first, because it is what a setting is chosen for,
 * but not at any price in tail latency when the gain is within the noise.
 * Ranked on wall msg/s, which covers every message of every setting: the
 * steady-state msg/s covers a different share of the run in each mode and
 * next to nothing of a short input.
 */
export function bestSetting(runs: readonly Ranked[]): Best {
  if (runs.length === 0) throw new RangeError('bestSetting needs at least one run');
  const printed = runs.map((run, index) => ({
    run,
    index,
    throughput: round(run.wallThroughput, printedDigits.wallThroughput),
    p99: round(run.latencyP99, printedDigits.latencyP99),
    failed: run.failed,
  }));
  const fewestFailed = Math.min(...printed.map((p) => p.failed));
  const eligible = printed.filter((p) => p.failed === fewestFailed && p.failed < p.run.messages && Number.isFinite(p.throughput));
  if (eligible.length === 0) {
    const none = printed.every((p) => p.failed >= p.run.messages)
      ? 'every record failed in every setting, so no figure measures the transform'
      : 'no setting has a wall msg/s';
    return { index: undefined, why: `none: ${none}` };
  }
  const top = eligible.reduce((a, b) => (b.throughput > a.throughput ? b : a));
  const tied = eligible.filter((p) => p.throughput >= (1 - throughputTolerance) * top.throughput);
  const p99 = (p: { p99: number }): number => (Number.isNaN(p.p99) ? Number.POSITIVE_INFINITY : p.p99);
  const best = tied.reduce((a, b) => (p99(b) < p99(a) || (p99(b) === p99(a) && b.throughput > a.throughput) ? b : a));
  const name = (p: { run: Ranked }) => settingName(p.run);
  const failedNote = eligible.length < printed.length ? ` among the ${eligible.length} with the fewest failed records (${fewestFailed})` : '';
  let why: string;
  if (printed.length === 1) {
    why = `the only setting (${best.throughput} wall msg/s, p99 ${best.p99} ms)`;
  } else if (best === top && tied.length === 1) {
    why = `the highest wall msg/s (${best.throughput})${failedNote}, no other within ${throughputTolerance * 100}% of it; p99 ${best.p99} ms`;
  } else if (best === top) {
    why = `the highest wall msg/s (${best.throughput})${failedNote} and the lowest p99 (${best.p99} ms) of the ${plural(tied.length, 'setting')} within ${throughputTolerance * 100}% of it`;
  } else {
    why =
      `${best.throughput} wall msg/s, within ${throughputTolerance * 100}% of the highest (${top.throughput}, ${name(top)})${failedNote}, ` +
      `and the lowest p99 (${best.p99} ms against ${top.p99} ms) of the ${plural(tied.length, 'setting')} within it`;
  }
  return { index: best.index, why: `${name(best)}: ${why}` };
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
