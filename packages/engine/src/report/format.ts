const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` safe inside HTML or SVG, in element content and in quoted attributes alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

/** A coordinate rounded to 0.1 px: sub-pixel detail nobody sees costs bytes in every path. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

const formatters = new Map<number, Intl.NumberFormat>();

/** `value` with at most `digits` decimals and thousands separators; `—` when not finite. */
export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '—';
  let format = formatters.get(digits);
  if (format === undefined) {
    format = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
    formatters.set(digits, format);
  }
  return format.format(value);
}
