/** Maps data values to pixels and says where its ticks go. */
export interface Scale {
  readonly map: (value: number) => number;
  readonly ticks: readonly number[];
  /** Decimals a tick label needs. */
  readonly digits: number;
}

/**
 * A linear scale over `[lo, hi]` widened to round ticks (steps of 1, 2 or 5
 * times a power of ten, about `count` of them), mapped onto `[from, to]`;
 * pass `from > to` for a y axis that grows upwards.
 */
export function linearScale(lo: number, hi: number, from: number, to: number, count = 5): Scale {
  const span = hi > lo ? hi - lo : Math.abs(hi) || 1;
  const step = niceStep(span / count);
  const d0 = Math.floor(lo / step + 1e-9) * step;
  let n = Math.ceil((hi - d0) / step - 1e-9);
  if (n < 1) n = 1;
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  // Ticks from an integer count, so that 0.1 + 0.2 never prints as 0.30000000000000004.
  const ticks = Array.from({ length: n + 1 }, (_, i) => Number((d0 + i * step).toFixed(digits)));
  const d1 = d0 + n * step;
  return { map: (v) => from + ((v - d0) / (d1 - d0)) * (to - from), ticks, digits };
}

/**
 * A log scale over exactly `[lo, hi]` (both > 0) with ticks at 1, 2 and 5
 * times powers of ten, or powers of ten alone when that would be too many.
 */
export function logScale(lo: number, hi: number, from: number, to: number): Scale {
  const l0 = Math.log10(lo);
  const l1 = Math.log10(hi) > l0 ? Math.log10(hi) : l0 + 1;
  const candidates: number[] = [];
  for (let k = Math.floor(l0); k <= Math.ceil(l1); k++) {
    for (const m of [1, 2, 5]) candidates.push(m * 10 ** k);
  }
  const inside = (v: number): boolean => Math.log10(v) >= l0 - 1e-9 && Math.log10(v) <= l1 + 1e-9;
  let ticks = candidates.filter(inside);
  if (ticks.length > 12) ticks = ticks.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
  if (ticks.length < 2) ticks = [lo, 10 ** l1];
  const smallest = Math.min(...ticks);
  const digits = Math.max(0, -Math.floor(Math.log10(smallest) + 1e-9));
  return {
    map: (v) => from + ((Math.log10(v) - l0) / (l1 - l0)) * (to - from),
    ticks: ticks.map((v) => Number(v.toPrecision(6))),
    digits: Math.min(digits, 3),
  };
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * power;
}
