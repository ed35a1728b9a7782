import type { BenchMode, BenchRun } from '../bench/bench-run.js';
import { benchCells } from '../bench/bench-table.js';
import type { Best } from '../bench/best-setting.js';
import { bestRule } from '../bench/best-setting.js';
import { steadyRule } from '../bench/steady-window.js';
import { plural, escapeHtml } from './format.js';
import { lineChart } from './line-chart.js';
import { reportPage } from './page.js';
import { scenarioSection } from './scenario-section.js';
import type { RunPair } from './scenario-section.js';

/** What a bench report shows. */
export interface BenchReportData {
  /** The page's title and heading. */
  readonly title: string;
  /** One line on where it ran: CPU, cores, Node version, date. */
  readonly machine: string;
  /** What ran, one line, e.g. `./t.js on sample.ndjson: 200 records`. */
  readonly workload: string;
  /** One run per setting, in the table's order (concurrency by concurrency). */
  readonly runs: readonly BenchRun[];
  readonly best: Best;
  /** Runs of each setting the figures are the medians of. @default 1 */
  readonly repeat?: number;
  /** Further paragraphs of plain text under the introduction. */
  readonly notes?: readonly string[];
}

/**
 * One self-contained HTML document for a bench (`tidemark bench`): the
 * table the CLI prints with the best setting marked and why, throughput and
 * p99 latency against concurrency (a line per mode), then per concurrency
 * the messages in flight, the latency histogram and the watermark lag of
 * async beside batch. Inline CSS and SVG only: no script, nothing fetched.
 */
export function renderBenchReport(data: BenchReportData): string {
  const repeat = data.repeat ?? 1;
  const oracle = data.runs.some((run) => run.oracleThroughput !== undefined);
  const concurrencies = [...new Set(data.runs.map((run) => run.concurrency))];
  const modes = [...new Set(data.runs.map((run) => run.mode))];
  const pairs: RunPair[] = concurrencies.map((concurrency) => {
    const at = data.runs.filter((run) => run.concurrency === concurrency);
    const async = at.find((run) => run.mode === 'async');
    const batch = at.find((run) => run.mode === 'batch');
    return {
      label: `Concurrency ${concurrency}`,
      ...(async === undefined ? {} : { async }),
      ...(batch === undefined ? {} : { batch }),
    };
  });
  const lede =
    `${escapeHtml(data.workload)}. ${escapeHtml(`${plural(data.runs.length, 'setting')}: concurrency ${concurrencies.join(', ')} in ${modes.join(' and ')} mode`)}, ` +
    'one after another in one process, each on a fresh engine whose threads were started and transform loaded before the measured run. ' +
    '<b class="async">async</b> keeps that many messages at the workers and forwards each result when it is ready; ' +
    '<b class="batch">batch</b> reads a batch of that size, waits for its slowest message, acks, and reads the next. ' +
    (oracle
      ? 'The <b>oracle</b> runs the same seeded latencies through as many work-conserving slots on the main thread, without threads; efficiency is a run\'s throughput over its. '
      : 'There is no oracle and no efficiency for a user\'s transform: the oracle needs each message\'s latency known beforehand, as the built-in workload\'s seeded latencies are. ') +
    (repeat > 1
      ? escapeHtml(`Every figure is the median of ${repeat} runs of its setting (the settings' order reversed on every other run).`)
      : 'Each setting ran once.');
  return reportPage({
    title: data.title,
    machine: data.machine,
    intro: [lede, ...(data.notes ?? []).map(escapeHtml)],
    main:
      `<section id="summary"><h2>Summary</h2>${summary(data.runs, data.best)}` +
      `<p class="best-why"><b>Best: ${escapeHtml(data.best.why)}.</b> <span class="rule">${escapeHtml(`Rule: ${bestRule}.`)}</span></p>` +
      `<p class="figures">${escapeHtml(`${steadyRule}.`)} ` +
      'Latency: read to ack. Watermark lag: now − watermark at each ack, event time being the read time.</p></section>\n' +
      `<section id="against-concurrency"><h2>Against concurrency</h2><div class="charts">${againstConcurrency(data.runs, modes, concurrencies)}</div></section>\n` +
      pairs.map(scenarioSection).join('\n'),
  });
}

function summary(runs: readonly BenchRun[], best: Best): string {
  const { header, align, rows } = benchCells(runs, { best });
  const cell = (text: string, i: number) => `<td class="${align[i] === 'l' ? 'text' : 'number'}">${escapeHtml(text)}</td>`;
  const head = `<thead><tr>${header.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>`;
  const body = rows.map((row, r) => `<tr${r === best.index ? ' class="best"' : ''}>${row.map(cell).join('')}</tr>`).join('');
  return `<table class="summary bench">${head}<tbody>${body}</tbody></table>`;
}

function againstConcurrency(runs: readonly BenchRun[], modes: readonly BenchMode[], concurrencies: readonly number[]): string {
  const series = (value: (run: BenchRun) => number) =>
    modes.map((mode) => ({
      name: mode,
      points: runs
        .filter((run) => run.mode === mode)
        .map((run) => [run.concurrency, value(run)] as const)
        .sort((a, b) => a[0] - b[0]),
    }));
  const chart = (kind: string, title: string, yLabel: string, value: (run: BenchRun) => number, caption: string) =>
    `<figure>${lineChart({ kind, title, series: series(value), xLabel: 'concurrency (log scale)', yLabel, xLogTicks: concurrencies, markers: true })}` +
    `<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
  return (
    chart(
      'throughput-vs-concurrency',
      'Throughput against concurrency',
      'wall msg/s',
      (run) => run.wallThroughput,
      'Messages per second from the first read to the end of the run (wall msg/s, the figure the best is ranked on), a line per mode.',
    ) +
    chart('p99-vs-concurrency', 'p99 latency against concurrency', 'p99 latency, ms', (run) => run.latencyP99, 'End-to-end latency (read to ack), 99th percentile, a line per mode.')
  );
}
