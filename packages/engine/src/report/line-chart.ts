import { escapeHtml, formatNumber, px } from './format.js';
import { linearScale, logScale } from './scale.js';
import type { Scale } from './scale.js';
import { legend, plotArea, svgChart, xAxis, yAxis } from './svg-frame.js';

/** A named series of `[x, y]` points in increasing x. */
export interface LineSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

/** What a line chart draws. */
export interface LineChartOptions {
  /** The chart's `data-chart`. */
  readonly kind: string;
  readonly title: string;
  readonly series: readonly LineSeries[];
  readonly xLabel: string;
  readonly yLabel: string;
  /** Draw each series as a step function: a value holds until the next point. @default false */
  readonly step?: boolean;
  /** One band per series, all on the same axes' domains, instead of overlaying them. @default false */
  readonly lanes?: boolean;
  /** A dashed horizontal line, e.g. the in-flight target. */
  readonly reference?: { readonly y: number; readonly label: string };
  /**
   * A log x axis with a tick at each of these values (e.g. the concurrencies
   * of a sweep), padded so that no point sits on the plot's edge, instead of
   * a linear one from 0.
   */
  readonly xLogTicks?: readonly number[];
  /** A dot at every point, for series of a few points each. @default false */
  readonly markers?: boolean;
}

const width = 640;
const laneHeight = 170;
const laneGap = 26;

/** A line (or step) chart with x and y axes, as one `<svg>`; step series start from `(0, 0)`. */
export function lineChart(options: LineChartOptions): string {
  const { series, lanes = false, step = false, reference } = options;
  const bands = lanes ? Math.max(1, series.length) : 1;
  const plot = plotArea(width, lanes ? 34 + bands * laneHeight + (bands - 1) * laneGap + 44 : 260);
  let xMax = 0;
  let yMax = reference?.y ?? 0;
  for (const s of series) {
    for (const [x, y] of s.points) {
      if (x > xMax) xMax = x;
      if (y > yMax) yMax = y;
    }
  }
  const x = options.xLogTicks === undefined ? linearScale(0, xMax, plot.left, plot.right, 8) : logAxis(options.xLogTicks, plot.left, plot.right);
  const bandHeight = (plot.bottom - plot.top - (bands - 1) * laneGap) / bands;
  const yScale = (band: number): Scale => {
    const top = plot.top + band * (bandHeight + laneGap);
    return linearScale(0, yMax, top + bandHeight, top, lanes ? 3 : 5);
  };
  let body = '';
  for (let band = 0; band < bands; band++) {
    const y = yScale(band);
    const top = plot.top + band * (bandHeight + laneGap);
    body += yAxis(y, plot, lanes ? '' : options.yLabel, top, top + bandHeight);
    if (reference !== undefined) body += referenceLine(reference, y, plot.left, plot.right);
    const name = series[band]?.name;
    if (lanes && name !== undefined) {
      body += `<text class="lane" data-legend="${escapeHtml(name)}" x="${plot.left + 6}" y="${px(top - 6)}">${escapeHtml(name)}</text>`;
    }
  }
  // Overlaid, the first series is drawn last so that it stays on top.
  const order = series.map((s, i) => ({ s, band: lanes ? i : 0 }));
  for (const { s, band } of lanes ? order : order.reverse()) {
    const y = yScale(band);
    const d = step ? stepPath(s.points, x.map, y.map) : linePath(s.points, x.map, y.map);
    if (d !== '') body += `<path data-series="${escapeHtml(s.name)}" class="line" d="${d}"/>`;
    if (options.markers === true) body += markers(s, x, y);
  }
  if (lanes) {
    const middle = px((plot.top + plot.bottom) / 2);
    body += `<text class="label" transform="translate(14 ${middle}) rotate(-90)" text-anchor="middle">${escapeHtml(options.yLabel)}</text>`;
  }
  body += xAxis(x, plot, options.xLabel);
  return svgChart(options.kind, options.title, plot, body + legend(series.map((s) => s.name), plot));
}

/** A log scale over `ticks` with half a step of room each side, its ticks exactly `ticks`. */
function logAxis(ticks: readonly number[], left: number, right: number): Scale {
  const positive = ticks.filter((t) => t > 0);
  const lo = Math.min(...positive, Number.POSITIVE_INFINITY);
  const hi = Math.max(...positive, 0);
  if (!(lo <= hi)) return linearScale(0, 1, left, right);
  const pad = lo === hi ? 2 : Math.min(2, Math.sqrt(hi / lo));
  const scale = logScale(lo / pad, hi * pad, left, right);
  return { ...scale, ticks: [...new Set(positive)].sort((a, b) => a - b), digits: 0 };
}

/** A dot per point of `series`, each with its value in a `<title>`. */
function markers(series: LineSeries, x: Scale, y: Scale): string {
  let out = '';
  for (const [vx, vy] of series.points) {
    if (!Number.isFinite(vy)) continue;
    out +=
      `<circle data-series="${escapeHtml(series.name)}" class="marker" cx="${px(x.map(vx))}" cy="${px(y.map(vy))}" r="3.5" fill="currentColor">` +
      `<title>${escapeHtml(`${series.name} at ${formatNumber(vx)}: ${formatNumber(vy, 1)}`)}</title></circle>`;
  }
  return out;
}

function referenceLine(reference: { y: number; label: string }, y: Scale, left: number, right: number): string {
  const at = px(y.map(reference.y));
  return (
    `<path class="reference" d="M${left} ${at}H${right}"/>` +
    `<text class="reference-label" x="${right - 4}" y="${at}" dy="-0.35em" text-anchor="end">${escapeHtml(reference.label)}</text>`
  );
}

/** `M x y L x y x y …`, skipping points that round onto the previous one; a lone point as a dot. */
function linePath(points: LineSeries['points'], x: (v: number) => number, y: (v: number) => number): string {
  const pairs: string[] = [];
  for (const [vx, vy] of points) {
    const pair = `${px(x(vx))} ${px(y(vy))}`;
    if (pair !== pairs[pairs.length - 1]) pairs.push(pair);
  }
  if (pairs.length === 0) return '';
  return pairs.length === 1 ? `M${pairs[0]}h0.1` : `M${pairs[0]}L${pairs.slice(1).join(' ')}`;
}

/**
 * `H x V y` per point from `(0, 0)`: the value holds until the next point.
 * Moves that round to no move are dropped, which keeps a dense flat stretch short.
 */
function stepPath(points: LineSeries['points'], x: (v: number) => number, y: (v: number) => number): string {
  if (points.length === 0) return '';
  let lastX = px(x(0));
  let lastY = px(y(0));
  let d = `M${lastX} ${lastY}`;
  for (const [t, value] of points) {
    const nextX = px(x(t));
    const nextY = px(y(value));
    if (nextX !== lastX) d += `H${nextX}`;
    if (nextY !== lastY) d += `V${nextY}`;
    lastX = nextX;
    lastY = nextY;
  }
  return d;
}
