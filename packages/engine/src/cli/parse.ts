import { InvalidArgumentError } from 'commander';
import { maxConcurrency, maxTimerMs } from '../options/option-bounds.js';
import type { WindowSpec } from '../reduce/window-spec.js';

export { maxTimerMs };

/** A commander parser for an integer option from `min` up (a safe integer: exact as a number). */
export function integer(min: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isInteger(value) || value < min) {
      throw new InvalidArgumentError(`expected an integer from ${min} up`);
    }
    if (!Number.isSafeInteger(value)) throw new InvalidArgumentError(`expected an integer from ${min} to ${Number.MAX_SAFE_INTEGER}`);
    return value;
  };
}

/** A commander parser for a time in milliseconds, from 0 to what a Node timer holds ({@link maxTimerMs}). */
export function milliseconds(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= maxTimerMs)) {
    throw new InvalidArgumentError(`expected a number of ms from 0 to ${maxTimerMs} (the longest a Node timer waits)`);
  }
  return value;
}

/** A commander parser for a TCP port (0 picks a free one). */
export function port(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new InvalidArgumentError('expected a port from 0 to 65535');
  }
  return value;
}

/**
 * A commander parser for `--concurrency`: `n` (a fixed target) or
 * `min..max` (the adaptive controller within those bounds). The engine
 * checks the bounds themselves.
 */
export function concurrency(text: string): number | { min: number; max: number } {
  const range = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(text);
  if (range === null) {
    try {
      return integer(1)(text);
    } catch {
      throw new InvalidArgumentError('expected an integer from 1 up, or min..max (such as 1..256) for the adaptive controller');
    }
  }
  const [min, max] = [Number(range[1]), Number(range[2])];
  if (!(min >= 1 && min <= max && max <= maxConcurrency)) {
    throw new InvalidArgumentError(`expected min..max with 1 <= min <= max <= ${maxConcurrency}`);
  }
  return { min, max };
}

const windowForms = 'tumbling:<ms>, sliding:<size>/<every> or session:<gap> (ms above 0)';

/**
 * A commander parser for `--window`: `tumbling:60000`, `sliding:60000/10000`
 * or `session:30000`. The engine checks the rest (`every <= size`).
 */
export function windowSpec(text: string): WindowSpec {
  // Decimal numbers only (Number() would also take 0x10 or 1e3).
  const match = /^\s*(tumbling|sliding|session)\s*:\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(\d+(?:\.\d+)?)\s*)?$/.exec(text);
  const [kind, first, second] = [match?.[1], Number(match?.[2]), match?.[3] === undefined ? undefined : Number(match[3])];
  const span = (n: number | undefined): n is number => n !== undefined && n > 0 && Number.isFinite(n);
  if (kind === 'tumbling' && span(first) && second === undefined) return { tumbling: first };
  if (kind === 'session' && span(first) && second === undefined) return { session: { gap: first } };
  if (kind === 'sliding' && span(first) && span(second)) return { sliding: { size: first, every: second } };
  throw new InvalidArgumentError(`expected ${windowForms}`);
}
