/** The SVG viewBox every sparkline of the page is drawn in. */
export const CHART_WIDTH = 240;
export const CHART_HEIGHT = 64;

/**
 * A polyline's `points` for `values` over a chart's full width, scaled so
 * that `max` is at the top (2 units of margin); `undefined` values are left
 * out. With fewer than two values, nothing is drawn.
 */
export function sparklinePoints(values: readonly (number | undefined)[], max: number): string {
  if (values.length < 2 || !(max > 0)) return '';
  const step = CHART_WIDTH / (values.length - 1);
  const scale = (CHART_HEIGHT - 4) / max;
  const points: string[] = [];
  values.forEach((value, index) => {
    if (value === undefined || !Number.isFinite(value)) return;
    const y = CHART_HEIGHT - 2 - Math.min(max, Math.max(0, value)) * scale;
    points.push(`${(index * step).toFixed(1)},${y.toFixed(1)}`);
  });
  return points.join(' ');
}

/** The highest of `values` (undefined ones left out), at least `floor`. */
export function peak(values: readonly (number | undefined)[], floor = 1): number {
  let max = floor;
  for (const value of values) if (value !== undefined && value > max) max = value;
  return max;
}
