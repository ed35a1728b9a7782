// The SVG charts of the brain report (brain-report.ts): a step chart of the in-flight target
// over time and horizontal bars. Small on purpose: the engine's report charts
// (packages/engine/src/report) are not exported from @tidemark/engine, so they cannot be reused here.

/** `text` safe in HTML and SVG, in content and in quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A named step series: each `[x, y]` holds until the next point, the last until `xMax`. */
export interface StepSeries {
  readonly name: string;
  /** A CSS colour. */
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
  /** Drawn dashed (a reference, such as the downstream's capacity). @default false */
  readonly dashed?: boolean;
}

const width = 720;
const height = 300;
const plot = { left: 56, right: width - 16, top: 34, bottom: height - 40 };
const fmt = (n: number): string => String(Math.round(n * 10) / 10);

/** Round tick steps: the first of 1, 2, 5 × 10^k that makes at most `count` ticks up to `max`. */
export function ticks(max: number, count: number): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  // k × step, rounded to 10 significant digits: 3 × 0.2 prints as 0.6, not 0.6000000000000001.
  for (let k = 0; k * step <= max + step * 1e-9; k++) out.push(Number((k * step).toPrecision(10)));
  return out;
}

/**
 * A step chart of `series` over `[0, xMax]` with a y axis from 0, dashed
 * vertical markers at `marks` (e.g. phase starts), a legend on top.
 */
export function stepChart(options: {
  readonly title: string;
  readonly series: readonly StepSeries[];
  readonly xMax: number;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly marks?: readonly { readonly x: number; readonly label: string }[];
}): string {
  const yTop = Math.max(1, ...options.series.flatMap((s) => s.points.map(([, y]) => y)));
  const xTicks = ticks(options.xMax, 8);
  const yTicks = ticks(yTop, 5);
  const xMax = Math.max(options.xMax, 1e-9);
  const yMax = Math.max(yTop, yTicks.at(-1) ?? yTop);
  const x = (v: number) => plot.left + (Math.min(v, xMax) / xMax) * (plot.right - plot.left);
  const y = (v: number) => plot.bottom - (v / yMax) * (plot.bottom - plot.top);
  let body = '';
  for (const t of yTicks) {
    body += `<path d="M${plot.left} ${fmt(y(t))}H${plot.right}" stroke="#eef1f4"/><text x="${plot.left - 6}" y="${fmt(y(t))}" dy="0.32em" text-anchor="end" fill="#59636e">${t}</text>`;
  }
  for (const t of xTicks) body += `<text x="${fmt(x(t))}" y="${plot.bottom + 16}" text-anchor="middle" fill="#59636e">${t}</text>`;
  for (const mark of options.marks ?? []) {
    body += `<path d="M${fmt(x(mark.x))} ${plot.top}V${plot.bottom}" stroke="#8c959f" stroke-dasharray="4 3"/><text x="${fmt(x(mark.x) + 3)}" y="${plot.top + 10}" font-size="10" fill="#59636e">${escapeHtml(mark.label)}</text>`;
  }
  for (const s of options.series) {
    let d = '';
    s.points.forEach(([px, py], i) => {
      const next = s.points[i + 1]?.[0] ?? xMax;
      d += `${i === 0 ? 'M' : 'V'}${i === 0 ? `${fmt(x(px))} ` : ''}${fmt(y(py))}H${fmt(x(next))}`;
    });
    if (d !== '') body += `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"${s.dashed === true ? ' stroke-dasharray="6 3"' : ''}/>`;
  }
  let legendX = plot.left;
  for (const s of options.series) {
    body += `<rect x="${legendX}" y="${plot.top - 12}" width="12" height="3" fill="${s.color}"/><text x="${legendX + 16}" y="${plot.top - 8}" fill="${s.color}" font-weight="600">${escapeHtml(s.name)}</text>`;
    legendX += 28 + s.name.length * 7;
  }
  body +=
    `<path d="M${plot.left} ${plot.top}V${plot.bottom}H${plot.right}" stroke="#59636e" fill="none"/>` +
    `<text x="${(plot.left + plot.right) / 2}" y="${height - 6}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>` +
    `<text transform="translate(14 ${(plot.top + plot.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(options.yLabel)}</text>`;
  return svg(options.title, width, height, body);
}

/** Horizontal bars, one per `bars` entry, the value printed at the end of each. */
export function barChart(options: { readonly title: string; readonly bars: readonly { readonly label: string; readonly value: number; readonly color: string }[]; readonly xLabel: string }): string {
  const left = 110;
  const right = width - 70;
  const row = 20;
  const h = 34 + options.bars.length * row + 30;
  const max = Math.max(1e-9, ...options.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)));
  let body = '';
  options.bars.forEach((bar, i) => {
    const top = 34 + i * row;
    const end = left + (Math.max(0, Number.isFinite(bar.value) ? bar.value : 0) / max) * (right - left);
    body +=
      `<text x="${left - 8}" y="${top + 7}" dy="0.32em" text-anchor="end">${escapeHtml(bar.label)}</text>` +
      `<rect x="${left}" y="${top}" width="${fmt(end - left)}" height="14" fill="${bar.color}"/>` +
      `<text x="${fmt(end + 4)}" y="${top + 7}" dy="0.32em" fill="#59636e">${Number.isFinite(bar.value) ? Math.round(bar.value).toLocaleString('en') : '–'}</text>`;
  });
  body += `<path d="M${left} 30V${h - 30}" stroke="#59636e"/><text x="${(left + right) / 2}" y="${h - 8}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>`;
  return svg(options.title, width, h, body);
}

function svg(title: string, w: number, h: number, body: string): string {
  return (
    `<svg class="chart" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg" font-size="11" font-family="system-ui, sans-serif">` +
    `<text x="8" y="14" font-size="13" font-weight="600">${escapeHtml(title)}</text>${body}</svg>`
  );
}
