import type { ProgressInput } from './progress.js';

// The words of a progress line (plain, or beside the bar), from the figures
// one sample measured.

/** What one sample shows. */
export interface Figures {
  readonly acked: number;
  /** Messages per second: over the last couple of seconds while running, over the run once stopped. */
  readonly rate: number;
  readonly inFlight: number;
  readonly processing: number;
  readonly target: number;
  /** `now - watermark` in ms, while the watermark is finite. */
  readonly lag: number | undefined;
  /** Done, 0..1, when a total or the input size is known. */
  readonly done: number | undefined;
  /** ms left, when `done` is known and the rate is not 0. */
  readonly eta: number | undefined;
  readonly elapsed: number;
  /** The last line: `done` when the run ended, `stopped` when it stopped before the end of its input. */
  readonly final: false | 'done' | 'stopped';
}

/**
 * What is done: a share of the total or of the input bytes done, and the
 * messages acked. A resumed run's share is of the bytes from its first line
 * on, and says so: `50% of 97.7 KiB done (from line 500)`.
 */
export function describe(figures: Figures, total: number | undefined, input: ProgressInput | undefined, short: boolean): string[] {
  const percent = figures.done === undefined ? '' : `${Math.floor(figures.done * 100)}% `;
  if (total !== undefined) return [`${percent}${figures.acked}/${total} acked`];
  if (input !== undefined) {
    const start = input.from?.byte();
    const from = input.from === undefined ? '' : ` (from line ${input.from.line})`;
    const size = input.size - (start ?? 0);
    return [`${percent}of ${bytes(size)}${short ? '' : ' done'}${from}`, `${figures.acked} acked`];
  }
  return [`${figures.acked} acked`];
}

/** The other figures, most important first. */
export function parts(figures: Figures): string[] {
  const parts = [`${count(figures.rate)} msg/s`];
  if (figures.final !== false) parts.push(`${figures.final === 'done' ? 'done in' : 'stopped after'} ${duration(figures.elapsed)}`);
  else if (figures.eta !== undefined) parts.push(`ETA ${duration(figures.eta)}`);
  // The target bounds the messages at the workers; read-ahead can keep more in flight.
  if (figures.final === false) parts.push(`in flight ${figures.inFlight} (${figures.processing}/${figures.target} at workers)`);
  if (figures.lag !== undefined) parts.push(`watermark lag ${duration(figures.lag)}`);
  if (figures.final === false && figures.eta === undefined) parts.push(`${duration(figures.elapsed)} elapsed`);
  return parts;
}

function count(value: number): string {
  return value < 100 ? value.toFixed(1) : value.toFixed(0);
}

function bytes(size: number): string {
  if (size < 1024) return `${size} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit] ?? ''}`;
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  if (whole < 86_400) return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(whole / 86_400)}d`;
}
