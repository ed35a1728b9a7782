import type { BenchRun } from '../bench/bench-run.js';
import { ratio, steadyShown } from '../bench/steady-window.js';
import { escapeHtml, formatNumber, noFigure } from './format.js';
import { histogramChart } from './histogram-chart.js';
import { lineChart } from './line-chart.js';
import type { LineSeries } from './line-chart.js';

/** The runs of one scenario, the same input in each mode; either may be missing. */
export interface RunPair<R extends BenchRun = BenchRun> {
  /** The section's heading: every parameter of the scenario. */
  readonly label: string;
  readonly async?: R;
  readonly batch?: R;
}

/**
 * Why async's watermark lag follows its slowest message in flight, as the
 * report says it under every watermark-lag chart.
 */
export const watermarkLagSentence =
  "Async's watermark lag follows the slowest message in flight: the output watermark is the event time of the oldest message " +
  'still in flight, so one slow message holds it back however many finish after it.';

/**
 * One scenario's section (`id="scenario-<n>"`, n from 1): its figures, then
 * the messages at the workers over time, the end-to-end latency histogram
 * and the watermark lag over time, async beside batch.
 */
export function scenarioSection(pair: RunPair, index: number): string {
  const runs = runsOf(pair);
  let span = 0;
  for (const run of runs) for (const [t] of [...run.timeline.inFlight, ...run.timeline.watermarkLag]) span = Math.max(span, t);
  // Seconds once a run lasts long enough that ms tick labels get wide.
  const unit = span > 2000 ? { label: 's', per: 1000 } : { label: 'ms', per: 1 };
  const time = (points: BenchRun['timeline']['inFlight']): LineSeries['points'] =>
    unit.per === 1 ? points : points.map(([t, v]) => [t / unit.per, v] as const);
  const concurrency = runs[0]?.concurrency ?? 0;
  const p = (run: BenchRun, a: number, b: number): string =>
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
      `At every ack. p50 / p99: ${lagNote}. <span class="why-lag">${escapeHtml(watermarkLagSentence)}</span>`,
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

function figures(pair: RunPair): string {
  const steady = (run: BenchRun, value: number | undefined, digits: number): string =>
    steadyShown(run) && value !== undefined ? formatNumber(value, digits) : noFigure;
  const parts = runsOf(pair).map(
    (run) =>
      `${modeTag(run)} ${escapeHtml(steady(run, run.throughput, 0))} msg/s, ${escapeHtml(formatNumber(run.wallThroughput))} wall msg/s, ` +
      (run.efficiency === undefined ? '' : `efficiency ${escapeHtml(steady(run, run.efficiency, 3))}, `) +
      `${escapeHtml(formatNumber(run.seconds, 2))} s`,
  );
  const { async, batch } = pair;
  if (async !== undefined && batch !== undefined) {
    const over = steadyShown(async) && steadyShown(batch) ? ratio(async.throughput, batch.throughput) : Number.NaN;
    parts.push(`async / batch <b>${escapeHtml(Number.isFinite(over) ? `${formatNumber(over, 2)}×` : noFigure)}</b>`);
  }
  const oracle = (async ?? batch)?.oracleThroughput;
  if (oracle !== undefined) parts.push(`oracle ${escapeHtml(formatNumber(oracle))} msg/s (efficiency = msg/s / oracle)`);
  return parts.join(' · ');
}

/** A run's mode, coloured as its series. */
export function modeTag(run: Pick<BenchRun, 'mode'>): string {
  const mode = escapeHtml(run.mode);
  return `<span class="${mode}">${mode}</span>`;
}

/** The pair's runs, async first. */
export function runsOf<R extends BenchRun>(pair: RunPair<R>): R[] {
  return [pair.async, pair.batch].filter((run): run is R => run !== undefined);
}
