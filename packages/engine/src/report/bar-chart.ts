import { escapeHtml, formatNumber, px } from './format.js';
import { linearScale } from './scale.js';
import { legend, svgChart, xAxis } from './svg-frame.js';
import type { Plot } from './svg-frame.js';

/** One row of bars, one bar per series. */
export interface BarGroup {
  readonly label: string;
  readonly bars: readonly { readonly series: string; readonly value: number }[];
}

/** What a bar chart draws. */
export interface BarChartOptions {
  /** The chart's `data-chart`. */
  readonly kind: string;
  readonly title: string;
  /** The series in legend and bar order. */
  readonly series: readonly string[];
  readonly groups: readonly BarGroup[];
  readonly xLabel: string;
}

const width = 640;
const labelWidth = 196;
const barHeight = 11;
const barGap = 2;
const groupGap = 12;
/** Characters of a group label that fit in `labelWidth`; the whole label stays in the row's `<title>`. */
const labelChars = 30;

/**
 * Horizontal grouped bars: a row per group, series beside each other, the
 * value at the end of each bar. Horizontal so that any number of scenarios
 * keeps readable labels (the chart grows downwards).
 */
export function barChart(options: BarChartOptions): string {
  const rowHeight = options.series.length * (barHeight + barGap) - barGap;
  const rows = options.groups.length;
  const height = 34 + rows * rowHeight + Math.max(0, rows - 1) * groupGap + 8 + 44;
  const plot: Plot = { width, height, left: labelWidth, right: width - 56, top: 34, bottom: height - 44 };
  let max = 0;
  for (const group of options.groups) for (const bar of group.bars) if (bar.value > max) max = bar.value;
  const x = linearScale(0, max, plot.left, plot.right, 6);
  let body = '';
  for (const tick of x.ticks) body += `<path class="grid" d="M${px(x.map(tick))} ${plot.top}V${plot.bottom}"/>`;
  options.groups.forEach((group, row) => {
    const top = plot.top + 4 + row * (rowHeight + groupGap);
    const label = group.label.length > labelChars ? `${group.label.slice(0, labelChars - 1)}…` : group.label;
    body +=
      `<g class="group"><title>${escapeHtml(group.label)}</title>` +
      `<text x="${plot.left - 8}" y="${px(top + rowHeight / 2)}" dy="0.32em" text-anchor="end">${escapeHtml(label)}</text>`;
    options.series.forEach((name, i) => {
      const bar = group.bars.find((b) => b.series === name);
      if (bar === undefined || !Number.isFinite(bar.value)) return;
      const y = top + i * (barHeight + barGap);
      const end = x.map(Math.max(0, bar.value));
      body +=
        `<rect data-series="${escapeHtml(name)}" x="${plot.left}" y="${px(y)}" width="${px(end - plot.left)}" height="${barHeight}" fill="currentColor"/>` +
        `<text class="value" x="${px(end + 4)}" y="${px(y + barHeight / 2)}" dy="0.32em">${escapeHtml(formatNumber(bar.value))}</text>`;
    });
    body += '</g>';
  });
  body += `<path class="axis-line" d="M${plot.left} ${plot.top}V${plot.bottom}"/>`;
  body += xAxis(x, plot, options.xLabel);
  return svgChart(options.kind, options.title, plot, body + legend(options.series, plot));
}
