/** A window of event time: `start` inclusive, `end` exclusive (epoch ms unless the source says otherwise). */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/**
 * How a reduce stage groups each key's messages by event time:
 * - `{ tumbling: size }`: back to back windows of `size` ms, each message in one;
 * - `{ sliding: { size, every } }`: windows of `size` ms starting every `every`
 *   ms (`every <= size`), each message in `ceil(size / every)` or fewer;
 * - `{ session: { gap } }`: a key's messages less than `gap` ms apart share a
 *   window, from the first event time to the last plus `gap`.
 * Windows start at multiples of their size (`every`), counting from 0.
 */
export type WindowSpec = { readonly tumbling: number } | { readonly sliding: { readonly size: number; readonly every: number } } | { readonly session: { readonly gap: number } };

/** Windows a message may fall in at most (`ceil(size / every)` of a sliding window): each is an accumulator at a worker. */
export const maxWindowsPerMessage = 1000;

/**
 * Event times and window spans a reduce works with: up to 2^52 ms (about
 * 142,000 years) either way, so that a window's start and end, sums of the
 * two, are exact numbers (at 1e17 a step of 1 ms does not change a number).
 */
export const maxEventSpan = 2 ** 52;

/** The fixed-size windows `eventTime` falls in, earliest first (tumbling or sliding); a session's first window is `[t, t + gap)`. */
export function windowsOf(spec: WindowSpec, eventTime: number): Window[] {
  if ('tumbling' in spec) {
    const start = Math.floor(eventTime / spec.tumbling) * spec.tumbling;
    return [{ start, end: start + spec.tumbling }];
  }
  if ('sliding' in spec) {
    const { size, every } = spec.sliding;
    const last = Math.floor(eventTime / every) * every;
    const windows: Window[] = [];
    // By count, not by stepping a start down: every step makes progress, and there are at most maxWindowsPerMessage.
    for (let k = Math.ceil(size / every) - 1; k >= 0; k--) {
      const start = last - k * every;
      if (start > eventTime - size) windows.push({ start, end: start + size });
    }
    return windows;
  }
  return [{ start: eventTime, end: eventTime + spec.session.gap }];
}

/** Whether the spec is a session (merging) window. */
export function isSession(spec: WindowSpec): spec is { readonly session: { readonly gap: number } } {
  return 'session' in spec;
}
