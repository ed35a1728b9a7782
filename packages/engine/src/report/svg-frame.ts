import { escapeHtml, formatNumber, px } from './format.js';
import type { Scale } from './scale.js';

/** The plot area inside a chart's `width` x `height`, in px. */
export interface Plot {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** A plot area with the usual margins: room for tick labels left and below, title and legend above. */
export function plotArea(width: number, height: number, left = 64): Plot {
  return { width, height, left, right: width - 16, top: 34, bottom: height - 44 };
}

/**
 * One chart: `<svg data-chart="kind">` whose first child is its `<title>`,
 * a visible heading, then `body`. Series are coloured through
 * `currentColor`, which the page sets per `data-series`.
 */
export function svgChart(kind: string, title: string, plot: Plot, body: string): string {
  const { width, height } = plot;
  return (
    `<svg class="chart" data-chart="${escapeHtml(kind)}" xmlns="http://www.w3.org/2000/svg" ` +
    `viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">` +
    `<title>${escapeHtml(title)}</title>` +
    `<text class="heading" x="8" y="16">${escapeHtml(title)}</text>${body}</svg>`
  );
}

/** Ticks, tick labels and axis label below the plot (or below `y` when given). */
export function xAxis(scale: Scale, plot: Plot, label: string, y = plot.bottom): string {
  let out = `<g class="axis"><path d="M${plot.left} ${px(y)}H${plot.right}"/>`;
  for (const tick of scale.ticks) {
    const x = px(scale.map(tick));
    out += `<path d="M${x} ${px(y)}v4"/><text x="${x}" y="${px(y + 15)}" text-anchor="middle">${escapeHtml(formatNumber(tick, scale.digits))}</text>`;
  }
  const middle = px((plot.left + plot.right) / 2);
  return `${out}<text class="label" x="${middle}" y="${plot.height - 8}" text-anchor="middle">${escapeHtml(label)}</text></g>`;
}

/** Ticks, labels and light grid lines for a y axis spanning `[top, bottom]`; the axis label only when `label` is not empty. */
export function yAxis(scale: Scale, plot: Plot, label: string, top = plot.top, bottom = plot.bottom): string {
  let out = `<g class="axis"><path d="M${plot.left} ${px(top)}V${px(bottom)}"/>`;
  for (const tick of scale.ticks) {
    const y = px(scale.map(tick));
    out +=
      `<path class="grid" d="M${plot.left} ${y}H${plot.right}"/><path d="M${plot.left - 4} ${y}h4"/>` +
      `<text x="${plot.left - 7}" y="${y}" dy="0.32em" text-anchor="end">${escapeHtml(formatNumber(tick, scale.digits))}</text>`;
  }
  if (label !== '') {
    const middle = px((top + bottom) / 2);
    out += `<text class="label" transform="translate(14 ${middle}) rotate(-90)" text-anchor="middle">${escapeHtml(label)}</text>`;
  }
  return `${out}</g>`;
}

/** Colour swatches with the series names, right-aligned above the plot. */
export function legend(names: readonly string[], plot: Plot): string {
  let x = plot.right;
  let out = '';
  for (const name of [...names].reverse()) {
    const textWidth = 7 * name.length;
    x -= textWidth;
    out += `<text x="${px(x)}" y="16">${escapeHtml(name)}</text>`;
    x -= 16;
    out += `<rect data-legend="${escapeHtml(name)}" x="${px(x)}" y="7" width="11" height="11" rx="2" fill="currentColor"/>`;
    x -= 14;
  }
  return `<g class="legend">${out}</g>`;
}
