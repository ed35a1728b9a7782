const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` safe inside HTML or SVG, in element content and in quoted attributes alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

/** A coordinate rounded to 0.1 px: sub-pixel detail nobody sees costs bytes in every path. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** What stands for a figure that could not be measured (NaN, too few acks), in the tables and the report. */
export const noFigure = '–';

/** `value` to `digits` decimals, as the tables print it; {@link noFigure} when not finite. */
export function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : noFigure;
}

/** `count` and the noun, plural unless `count` is 1: `1 setting`, `4 records`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

const formatters = new Map<number, Intl.NumberFormat>();

/** `value` with at most `digits` decimals and thousands separators; {@link noFigure} when not finite. */
export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return noFigure;
  let format = formatters.get(digits);
  if (format === undefined) {
    format = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
    formatters.set(digits, format);
  }
  return format.format(value);
}
