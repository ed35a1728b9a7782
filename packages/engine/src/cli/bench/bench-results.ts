import type { BenchRun } from '../../bench/bench-run.js';
import { benchTable } from '../../bench/bench-table.js';
import type { Best } from '../../bench/best-setting.js';
import { bestRule } from '../../bench/best-setting.js';
import type { SettingRuns } from '../../bench/run-bench.js';
import { acksPerSlot, steadyRule, steadyShown } from '../../bench/steady-window.js';
import { plural } from '../../report/format.js';
import type { BenchWorkload } from './bench-workload.js';

/** What the results say about how they were taken. */
export interface ResultsContext {
  readonly repeat: number;
  readonly messages: number;
  /** Set when a signal stopped the bench: the line saying so. */
  readonly stopped?: string;
}

/** `Every figure is the median of …`, when the figures are medians. */
function medianLine(context: ResultsContext): string[] {
  if (context.repeat === 1) return [];
  const of = context.stopped === undefined ? `${context.repeat} runs of its setting` : `its setting's runs that finished (of ${context.repeat} asked for)`;
  return [`Every figure is the median of ${of} (the settings' order reversed on every other run).`];
}

/**
 * What `tidemark bench` prints on stdout: the table, then the lines that
 * read it (how it was stopped, the medians, the best setting and the rules,
 * the workload's own lines), with no blank line first.
 */
export function resultsText(settings: readonly SettingRuns<BenchRun>[], best: Best | undefined, workload: BenchWorkload, context: ResultsContext): string {
  const runs = settings.map((setting) => setting.median);
  const lines = [
    ...(context.stopped === undefined ? [] : [context.stopped]),
    ...medianLine(context),
    ...(best === undefined ? [] : [`best: ${best.why}.`, `rule: ${bestRule}.`, `${steadyRule}.`]),
    ...shortInput(runs, context.messages),
    ...workload.results(runs),
  ];
  const table = runs.length === 0 ? '' : `${benchTable(runs, best === undefined ? {} : { best })}\n\n`;
  return `${table}${lines.join('\n')}\n`;
}

/**
 * The results as JSON: per setting its figures (a steady-state one the
 * table shows as `–` is null, as is one that could not be measured),
 * whether it is the best and, with `--repeat`, each run's figures.
 */
export function resultsJson(settings: readonly SettingRuns<BenchRun>[], best: Best | undefined, repeat: number): string {
  const summaries = settings.map(({ median, repeats }, i) => ({
    ...figures(median),
    best: i === best?.index,
    ...(repeat > 1 ? { repeats: repeats.map(figures) } : {}),
  }));
  return `${JSON.stringify(summaries, null, 2)}\n`;
}

function figures(run: BenchRun): Record<string, unknown> {
  const { timeline: _timeline, ...summary } = run;
  if (steadyShown(run)) return summary;
  return { ...summary, throughput: null, workerBusyShare: null, ...(run.efficiency === undefined ? {} : { efficiency: null }) };
}

/**
 * A note for each concurrency at which the input gives every slot fewer
 * than {@link acksPerSlot} messages: msg/s cannot be shown there, and in
 * batch mode that is fewer than that many batches.
 */
function shortInput(runs: readonly { concurrency: number }[], n: number): string[] {
  const concurrencies = [...new Set(runs.map((run) => run.concurrency))].filter((c) => n < acksPerSlot * c);
  if (concurrencies.length === 0) return [];
  return [
    `Note: at concurrency ${concurrencies.join(', ')} the input's ${plural(n, 'message')} ${n === 1 ? 'is' : 'are'} fewer than ${acksPerSlot} per slot ` +
      `(batch: fewer than ${acksPerSlot} batches), so msg/s cannot be shown there and the other figures rest on few turns of the slots; ` +
      `an input of ${acksPerSlot * Math.max(...concurrencies)} messages or more measures them better.`,
  ];
}
