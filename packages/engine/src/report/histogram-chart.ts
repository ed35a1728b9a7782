import { escapeHtml, px } from './format.js';
import { linearScale, logScale } from './scale.js';
import { legend, plotArea, svgChart, xAxis, yAxis } from './svg-frame.js';

/** A named set of positive values to count into buckets. */
export interface HistogramSeries {
  readonly name: string;
  readonly values: readonly number[];
}

/** What a histogram draws. */
export interface HistogramOptions {
  /** The chart's `data-chart`. */
  readonly kind: string;
  readonly title: string;
  readonly series: readonly HistogramSeries[];
  readonly xLabel: string;
  readonly yLabel: string;
}

/**
 * Overlaid histograms on log-spaced buckets shared by every series, each
 * drawn as one translucent outline so that both stay visible where they overlap.
 */
export function histogramChart(options: HistogramOptions): string {
  const plot = plotArea(640, 260);
  const edges = logEdges(options.series.flatMap((s) => s.values));
  const first = edges[0] ?? 1;
  const last = edges[edges.length - 1] ?? 10;
  const counts = options.series.map((s) => bucketCounts(s.values, edges));
  const yMax = Math.max(1, ...counts.flat());
  const x = logScale(first, last, plot.left, plot.right);
  const y = linearScale(0, yMax, plot.bottom, plot.top, 5);
  let body = yAxis(y, plot, options.yLabel);
  options.series.forEach((s, i) => {
    const bucket = counts[i] ?? [];
    if (s.values.length === 0) return;
    let d = `M${px(x.map(first))} ${px(y.map(0))}`;
    bucket.forEach((count, b) => {
      d += `V${px(y.map(count))}H${px(x.map(edges[b + 1] ?? last))}`;
    });
    body += `<path data-series="${escapeHtml(s.name)}" class="area" d="${d}V${px(y.map(0))}Z"/>`;
  });
  body += xAxis(x, plot, options.xLabel);
  return svgChart(options.kind, options.title, plot, body + legend(options.series.map((s) => s.name), plot));
}

/**
 * Bucket edges at 10^(k/10) (ten per decade, five when the values span more
 * than six decades) from just below the smallest positive value to just
 * above the largest: the same grid for every run, so buckets line up.
 */
export function logEdges(values: readonly number[]): number[] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const v of values) {
    if (v > 0 && v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > 0)) return [1, 10];
  const perDecade = Math.log10(hi / lo) > 6 ? 5 : 10;
  const k0 = Math.floor(Math.log10(lo) * perDecade + 1e-9);
  const k1 = Math.max(k0 + 1, Math.floor(Math.log10(hi) * perDecade + 1e-9) + 1);
  return Array.from({ length: k1 - k0 + 1 }, (_, i) => 10 ** ((k0 + i) / perDecade));
}

/** How many values fall in each `[edges[i], edges[i + 1])`; values at or below 0 go to the first bucket. */
export function bucketCounts(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(Math.max(0, edges.length - 1)).fill(0);
  const first = edges[0] ?? 1;
  const perStep = Math.log10((edges[1] ?? first * 10) / first);
  for (const v of values) {
    const b = v > 0 ? Math.floor(Math.log10(v / first) / perStep + 1e-9) : 0;
    const i = Math.min(counts.length - 1, Math.max(0, b));
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts;
}
