import type { WindowSpec } from '../../src/reduce/window-spec.js';

/** One message of a reduce scenario, in read order. */
export interface RefMessage {
  readonly offset: number;
  readonly key: string;
  readonly eventTime: number;
  readonly value: number;
}

/** A window's result: its key, extent, and its values sorted. */
export interface RefResult {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly values: number[];
}

interface Open {
  key: string;
  start: number;
  end: number;
  values: number[];
}

/**
 * Windowed reduce done the plain way, one message at a time in read order,
 * as the engine's documentation states it:
 * - the window clock after a message is the largest event time read so far
 *   less `maxOutOfOrderness`;
 * - a window closes (its result is final) once the clock reaches its end
 *   plus `allowedLateness`;
 * - a message joins the windows it falls in that are not closed; if every
 *   one is closed it is too late (a late record); a session message merges
 *   the open sessions it touches (a closed one is final);
 * - at the end of the input every window closes.
 * Returns the results (values sorted) and the too-late offsets.
 */
export function referenceReduce(
  messages: readonly RefMessage[],
  spec: WindowSpec,
  allowedLateness: number,
  maxOutOfOrderness: number,
): { results: RefResult[]; late: number[] } {
  let clock = Number.NEGATIVE_INFINITY;
  let maxSeen = Number.NEGATIVE_INFINITY;
  let open: Open[] = [];
  const results: RefResult[] = [];
  const late: number[] = [];
  const isClosed = (w: { end: number }): boolean => w.end + allowedLateness <= clock;
  const closeDue = (): void => {
    for (const w of open.filter(isClosed)) {
      results.push({ key: w.key, start: w.start, end: w.end, values: [...w.values].sort((a, b) => a - b) });
    }
    open = open.filter((w) => !isClosed(w));
  };
  for (const m of messages) {
    const t = m.eventTime;
    if ('session' in spec) {
      const gap = spec.session.gap;
      const overlaps = (w: Open): boolean => w.key === m.key && t < w.end && w.start < t + gap;
      if (t + gap + allowedLateness <= clock) {
        late.push(m.offset);
      } else {
        const touched = open.filter(overlaps);
        const merged: Open = { key: m.key, start: Math.min(t, ...touched.map((w) => w.start)), end: Math.max(t + gap, ...touched.map((w) => w.end)), values: [m.value, ...touched.flatMap((w) => w.values)] };
        open = [...open.filter((w) => !touched.includes(w)), merged];
      }
    } else {
      const size = 'tumbling' in spec ? spec.tumbling : spec.sliding.size;
      const every = 'tumbling' in spec ? spec.tumbling : spec.sliding.every;
      const starts: number[] = [];
      for (let s = Math.floor(t / every) * every; s > t - size; s -= every) starts.push(s);
      const live = starts.filter((s) => !isClosed({ end: s + size }));
      if (live.length === 0) late.push(m.offset);
      for (const s of live) {
        let w = open.find((o) => o.key === m.key && o.start === s);
        if (w === undefined) open.push((w = { key: m.key, start: s, end: s + size, values: [] }));
        w.values.push(m.value);
      }
    }
    maxSeen = Math.max(maxSeen, t);
    clock = Math.max(clock, maxSeen - maxOutOfOrderness);
    closeDue();
  }
  clock = Number.POSITIVE_INFINITY;
  closeDue();
  return { results, late };
}

/** A canonical text of results, for comparing multisets. */
export function resultKeys(results: readonly RefResult[]): string[] {
  return results.map((r) => `${r.key} [${r.start},${r.end}) ${r.values.join(',')}`).sort();
}
