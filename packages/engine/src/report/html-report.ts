import type { SkewRun } from '../workload/skew-scenario.js';
import { barChart } from './bar-chart.js';
import { escapeHtml, formatNumber } from './format.js';
import { histogramChart } from './histogram-chart.js';
import { lineChart } from './line-chart.js';
import type { LineSeries } from './line-chart.js';
import { reportStyle } from './report-style.js';
import { scenarioPairs } from './scenario-pairs.js';
import type { ScenarioPair } from './scenario-pairs.js';
import { summaryTable } from './summary-table.js';

/** What a report shows. */
export interface ReportData {
  /** The page's title and heading. */
  readonly title: string;
  /** One line on where the runs ran, e.g. CPU, cores and Node version. */
  readonly machine: string;
  /** Skew runs, each scenario in `async` and `batch` mode. */
  readonly runs: readonly SkewRun[];
}

/**
 * One self-contained HTML document for latency-skew runs: a summary table,
 * throughput per scenario, and per scenario the latency histogram, the
 * messages in flight and the watermark lag of async beside batch. Inline
 * CSS and SVG only: no script, nothing fetched, so it opens offline.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { renderReport, runSkewScenario } from '@tidemark/engine/workload';
 * const scenario = { family: 'await', distribution: 'lognormal', concurrency: 32, messages: 3200, meanMs: 10, seed: 42 } as const;
 * const runs = [await runSkewScenario({ ...scenario, mode: 'async' }), await runSkewScenario({ ...scenario, mode: 'batch' })];
 * await writeFile('skew.html', renderReport({ title: 'Latency skew', machine: 'AMD EPYC, 2 cores, Node 20.20', runs }));
 * ```
 */
export function renderReport(data: ReportData): string {
  const pairs = scenarioPairs(data.runs);
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(data.title)}</title><style>${reportStyle}</style></head>\n<body><header>` +
    `<h1>${escapeHtml(data.title)}</h1><p class="machine">${escapeHtml(data.machine)}</p>` +
    `<p class="lede">${escapeHtml(`${count(data.runs.length, 'run')}, ${count(pairs.length, 'scenario')}.`)} ` +
    'Each scenario runs the same seeded latencies twice: <b class="async">async</b> keeps the target number of messages ' +
    'at the workers and forwards each result when it is ready; <b class="batch">batch</b> reads a batch of that size, ' +
    'waits for its slowest message, acks, and reads the next. The <b>oracle</b> runs the same latencies through as many ' +
    'work-conserving slots on the main thread, waiting as the transform spends its latency, without threads; efficiency is a run\'s throughput over its.</p></header>\n<main>' +
    `<section><h2>Summary</h2>${summaryTable(pairs)}</section>\n` +
    `<section><h2>Throughput</h2><figure>${throughputChart(pairs)}` +
    '<figcaption>Messages acked per second between the first and the last read (the steady state).</figcaption></figure></section>\n' +
    pairs.map(scenarioSection).join('\n') +
    '</main></body></html>\n'
  );
}

function throughputChart(pairs: readonly ScenarioPair[]): string {
  return barChart({
    kind: 'throughput',
    title: 'Throughput per scenario',
    series: ['async', 'batch'],
    groups: pairs.map((pair) => ({
      label: pair.short,
      bars: runsOf(pair).map((run) => ({ series: run.mode, value: run.throughput })),
    })),
    xLabel: 'messages per second',
  });
}

function scenarioSection(pair: ScenarioPair, index: number): string {
  const runs = runsOf(pair);
  let span = 0;
  for (const run of runs) for (const [t] of [...run.timeline.inFlight, ...run.timeline.watermarkLag]) span = Math.max(span, t);
  // Seconds once a run lasts long enough that ms tick labels get wide.
  const unit = span > 2000 ? { label: 's', per: 1000 } : { label: 'ms', per: 1 };
  const time = (points: SkewRun['timeline']['inFlight']): LineSeries['points'] =>
    unit.per === 1 ? points : points.map(([t, v]) => [t / unit.per, v] as const);
  const concurrency = runs[0]?.concurrency ?? 0;
  const p = (run: SkewRun, a: number, b: number): string =>
    `${modeTag(run)} ${escapeHtml(`${formatNumber(a, 1)} / ${formatNumber(b, 1)} ms`)}`;
  const latencyNote = runs.map((run) => p(run, run.latencyP50, run.latencyP99)).join(', ');
  const lagNote = runs.map((run) => p(run, run.lagP50, run.lagP99)).join(', ');
  const charts = [
    figure(
      lineChart({
        kind: 'in-flight',
        title: 'Messages at the workers',
        series: runs.map((run) => ({ name: run.mode, points: time(run.timeline.inFlight) })),
        xLabel: `time since start, ${unit.label}`,
        yLabel: 'in flight',
        step: true,
        lanes: true,
        reference: { y: concurrency, label: `target ${concurrency}` },
      }),
      'Async refills a slot as soon as it frees; batch drains to zero before each next batch (the sawtooth).',
      'tall',
    ),
    figure(
      histogramChart({
        kind: 'latency-histogram',
        title: 'End-to-end latency',
        series: runs.map((run) => ({ name: run.mode, values: run.timeline.latencies })),
        xLabel: 'read to ack, ms (log scale)',
        yLabel: 'messages',
      }),
      `Every message, log-spaced buckets. p50 / p99: ${latencyNote}.`,
    ),
    figure(
      lineChart({
        kind: 'watermark-lag',
        title: 'Watermark lag',
        series: runs.map((run) => ({ name: run.mode, points: time(run.timeline.watermarkLag) })),
        xLabel: `time since start, ${unit.label}`,
        yLabel: 'now − watermark, ms',
      }),
      `At every ack. p50 / p99: ${lagNote}.`,
    ),
  ];
  return (
    `<section class="scenario" id="scenario-${index + 1}"><h2>${escapeHtml(pair.label)}</h2>` +
    `<p class="figures">${figures(pair)}</p><div class="charts">${charts.join('')}</div></section>`
  );
}

/** `captionHtml` is built here from escaped parts only. */
function figure(svg: string, captionHtml: string, className?: string): string {
  const open = className === undefined ? '<figure>' : `<figure class="${escapeHtml(className)}">`;
  return `${open}${svg}<figcaption>${captionHtml}</figcaption></figure>`;
}

function figures(pair: ScenarioPair): string {
  const parts = runsOf(pair).map(
    (run) =>
      `${modeTag(run)} ${escapeHtml(formatNumber(run.throughput))} msg/s, ` +
      `efficiency ${escapeHtml(formatNumber(run.efficiency, 3))}, ${escapeHtml(formatNumber(run.seconds, 2))} s`,
  );
  if (pair.async !== undefined && pair.batch !== undefined) {
    parts.push(`async / batch <b>${escapeHtml(formatNumber(pair.async.throughput / pair.batch.throughput, 2))}×</b>`);
  }
  const oracle = (pair.async ?? pair.batch)?.oracleThroughput;
  if (oracle !== undefined) parts.push(`oracle ${escapeHtml(formatNumber(oracle))} msg/s (efficiency = msg/s / oracle)`);
  return parts.join(' · ');
}

function modeTag(run: SkewRun): string {
  const mode = escapeHtml(run.mode);
  return `<span class="${mode}">${mode}</span>`;
}

function count(n: number, noun: string): string {
  return `${formatNumber(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function runsOf(pair: ScenarioPair): SkewRun[] {
  return [pair.async, pair.batch].filter((run): run is SkewRun => run !== undefined);
}
