// The keyed-ordering suite of `pnpm bench` (`--suite keyed`, `pnpm bench:keyed`): Confluent
// Parallel Consumer's curve (10,000 messages of 0–5 ms at concurrency 100 over 1, 10, 100
// and 1,000 keys) with `ordering: 'key'`, against `ordering: 'unordered'` in the same run,
// every setting once per repeat in alternating order, medians over the repeats.
import { availableParallelism } from 'node:os';
import type { Check } from './check.js';
import { checkTable } from './check.js';
import { describeViolation } from './keyed-order.js';
import { runKeyed } from './keyed-run.js';
import type { KeyedRun } from './keyed-run.js';
import { keyedOrderChecks, keyedRows, keyedSpeedCheck, keyedSettings, keyedTable, roundOrder, settingLabel } from './keyed-table.js';
import type { KeyedRow } from './keyed-table.js';
import { idealSeconds, keyedMessages } from './keyed-workload.js';
import type { KeyAssignment, KeyedSetting, KeyedWorkload } from './keyed-workload.js';

/** How the suite runs. */
export interface KeyedPlan extends KeyedWorkload {
  readonly concurrency: number;
  readonly threads: number;
  readonly repeat: number;
  /** A/B pairs of unordered and 1,000 keys in every repeat (their runs are short, and the bar is on their ratio). */
  readonly pairs: number;
  readonly quick: boolean;
}

/** What keyed.json holds (beside the machine). */
export interface KeyedResults {
  readonly plan: KeyedPlan;
  readonly runs: readonly KeyedRun[];
  readonly rows: readonly KeyedRow[];
  readonly checks: readonly Check[];
  /** A check failed that this run enforces: per-key order always, the speed bar only at full size. */
  readonly failed: boolean;
}

/** The plan for `--quick` (1,000 messages) or the full size (10,000, as Parallel Consumer's). */
export function keyedPlan(options: { quick: boolean; repeat: number | undefined; seed: number; assignment: KeyAssignment }): KeyedPlan {
  return {
    messages: options.quick ? 1_000 : 10_000,
    maxSleepMs: 5,
    assignment: options.assignment,
    seed: options.seed,
    concurrency: 100,
    threads: availableParallelism(),
    repeat: options.repeat ?? (options.quick ? 3 : 5),
    pairs: options.quick ? 2 : 4,
    quick: options.quick,
  };
}

/**
 * Every repeat: the A/B pairs of unordered and 1,000 keys, then the other key counts once,
 * the order reversed on every other repeat (see roundOrder); after an uncounted warm-up of
 * the two, reporting each run to `progress`.
 * Unordered reads the 1,000-key messages: the A/B differs only in the `ordering` option.
 */
export async function runKeyedSuite(plan: KeyedPlan, progress: (line: string) => void): Promise<KeyedResults> {
  const messagesOf = (setting: KeyedSetting) => keyedMessages(plan, setting === 'unordered' ? 1000 : setting);
  const ideals = new Map(keyedSettings.map((s) => [s, idealSeconds(messagesOf(s), plan.concurrency, s !== 'unordered')] as const));
  // Warm-up, not counted: without it the first repeat's unordered and 1,000-key runs were up to
  // 1.7 times as slow as the later ones (cold code paths), at full size as at --quick.
  for (const setting of ['unordered', 1000] as const) {
    const warm = await runKeyed(messagesOf(setting), setting, plan, { round: -1, pair: 0, position: 0 });
    progress(`warm-up ${settingLabel(setting)}: ${warm.messages} messages, ${warm.seconds.toFixed(3)} s (not counted)`);
  }
  const runs: KeyedRun[] = [];
  for (let round = 0; round < plan.repeat; round++) {
    for (const [position, { setting, pair }] of roundOrder(round, plan.pairs).entries()) {
      const run = await runKeyed(messagesOf(setting), setting, plan, { round, pair, position });
      runs.push(run);
      progress(
        `[${round + 1}/${plan.repeat}] ${settingLabel(setting)}: ${run.seconds.toFixed(3)} s, ${Math.round(run.throughput)} msg/s, ` +
          `${run.orderViolations} order / ${run.overlapViolations} overlap breaches`,
      );
      if (setting !== 'unordered') for (const v of run.firstViolations) progress(`  ${describeViolation(v)}`);
    }
  }
  const rows = keyedRows(runs, keyedSettings, ideals);
  const speed = keyedSpeedCheck(rows);
  const order = keyedOrderChecks(rows);
  const failed = order.some((c) => !c.pass) || (!plan.quick && speed !== undefined && !speed.pass);
  return { plan, runs, rows, checks: speed === undefined ? order : [speed, ...order], failed };
}

/** The suite's Markdown: heading, table, legend and checks. */
export function keyedReport(results: KeyedResults): string {
  const { plan } = results;
  const heading =
    `## Per-key ordering: ${plan.messages.toLocaleString('en')} messages of 0–${plan.maxSleepMs} ms (seeded, seed ${plan.seed}), ` +
    `concurrency ${plan.concurrency}, ${plan.threads} threads, keys ${plan.assignment}${plan.quick ? ' (--quick)' : ''}`;
  const legend =
    `s: from the first message read to the last acked (the workers' start left out). ${plan.repeat} repeat${plan.repeat === 1 ? '' : 's'} ` +
    `after an uncounted warm-up run of unordered and of 1,000 keys; each repeat runs ${plan.pairs} A/B pair${plan.pairs === 1 ? '' : 's'} ` +
    'of unordered and 1,000 keys back to back (U K, K U, ...), then 100, 10 and 1 key once, the whole order reversed on every other repeat; ' +
    'median s and msg/s over the runs. ' +
    'PC s: Confluent Parallel Consumer\'s README for 10,000 messages of 0–5 ms at concurrency 100 (no figure for 100 keys); ' +
    'its runs include Kafka\'s round trips, which make most of its unordered time (see ideal s), so its ratios to unordered are much ' +
    'flatter than ours; at 1 and 10 keys, where the busiest key\'s sleeps set the time, the seconds compare directly. ' +
    'ideal s: what the sleeps alone would take: the total sleep over the concurrency, and with keys at least the busiest key\'s total sleep ' +
    '(its messages run one at a time); the workers\' round trips come on top, and Node\'s timers, which count whole ms ticks of the event loop, ' +
    'end each sleep anywhere from about 1 ms early to 1 ms late, so a run can come in a little under it. ' +
    'Breaches, summed over the repeats: order, an output yielded after a later offset of its key; overlap, a message whose transform started before ' +
    'that of the previous offset of its key had ended (ack traces, the workers\' clocks).';
  return `${heading}\n\n${keyedTable(results.rows)}\n\n${legend}\n\n### Checks${plan.quick ? ' (--quick: the speed bar not enforced)' : ''}\n\n${checkTable(results.checks)}`;
}
