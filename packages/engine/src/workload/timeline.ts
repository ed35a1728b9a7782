/** What a report draws of one run, times in ms from the run's start. */
export interface SkewTimeline {
  /** Messages at the workers over time: a step series of `[t, count]`. */
  readonly inFlight: readonly (readonly [number, number])[];
  /** Watermark lag (`now - watermark`, ms) at acks over time: `[t, lag]`. */
  readonly watermarkLag: readonly (readonly [number, number])[];
  /** End-to-end latency (read to ack, ms) of every message. */
  readonly latencies: readonly number[];
}

/** At most this many points per series: enough to draw, small enough to embed. */
const maxPoints = 1500;

/**
 * The in-flight step series from each message's dispatch and completion
 * times (exact, not sampled), thinned to at most {@link maxPoints} by
 * keeping the extreme of each bucket so that sawtooth dips survive.
 */
export function inFlightSeries(
  dispatchedAt: Float64Array,
  completedAt: Float64Array,
  begin: number,
): [number, number][] {
  const events: [number, number][] = [];
  for (let i = 0; i < dispatchedAt.length; i++) {
    const start = dispatchedAt[i] ?? 0;
    const end = completedAt[i] ?? 0;
    if (start > 0 && end >= start) events.push([start - begin, 1], [end - begin, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const steps: [number, number][] = [];
  let count = 0;
  for (const [t, delta] of events) {
    count += delta;
    steps.push([t, count]);
  }
  return thin(steps, (kept, candidate) => (candidate[1] < kept[1] ? candidate : kept));
}

/** Keep one point per bucket of time, chosen by `pick` (default: the first). */
export function thin(
  points: [number, number][],
  pick: (kept: [number, number], candidate: [number, number]) => [number, number] = (kept) => kept,
): [number, number][] {
  if (points.length <= maxPoints) return points;
  const first = points[0]?.[0] ?? 0;
  const span = (points[points.length - 1]?.[0] ?? 0) - first || 1;
  const out: [number, number][] = [];
  let bucket = -1;
  for (const point of points) {
    const b = Math.floor(((point[0] - first) / span) * (maxPoints - 1));
    if (b !== bucket) {
      out.push(point);
      bucket = b;
    } else {
      out[out.length - 1] = pick(out[out.length - 1] as [number, number], point);
    }
  }
  return out;
}
