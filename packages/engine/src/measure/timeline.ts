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
 * keeping the lowest and the highest point of each time bucket, in time
 * order, so that batch mode's sawtooth keeps both its peaks and its dips.
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
  return extremes(steps);
}

/** Keep one point per bucket of time: the first, or what `pick` prefers. */
export function thin(
  points: [number, number][],
  pick: (kept: [number, number], candidate: [number, number]) => [number, number] = (kept) => kept,
): [number, number][] {
  if (points.length <= maxPoints) return points;
  const out: [number, number][] = [];
  forEachBucket(points, maxPoints, (bucket) => {
    let kept = bucket[0] as [number, number];
    for (const point of bucket) kept = pick(kept, point);
    out.push(kept);
  });
  return out;
}

/** The lowest and highest point of each of `maxPoints / 2` time buckets, in time order. */
function extremes(points: [number, number][]): [number, number][] {
  if (points.length <= maxPoints) return points;
  const out: [number, number][] = [];
  forEachBucket(points, maxPoints / 2, (bucket) => {
    let low = bucket[0] as [number, number];
    let high = low;
    for (const point of bucket) {
      if (point[1] < low[1]) low = point;
      if (point[1] > high[1]) high = point;
    }
    if (low === high) out.push(low);
    else out.push(...(low[0] <= high[0] ? [low, high] : [high, low]));
  });
  return out;
}

function forEachBucket(points: [number, number][], buckets: number, visit: (bucket: [number, number][]) => void): void {
  const first = points[0]?.[0] ?? 0;
  const span = (points[points.length - 1]?.[0] ?? 0) - first || 1;
  let current: [number, number][] = [];
  let index = -1;
  for (const point of points) {
    const b = Math.floor(((point[0] - first) / span) * (buckets - 1));
    if (b !== index && current.length > 0) {
      visit(current);
      current = [];
    }
    index = b;
    current.push(point);
  }
  if (current.length > 0) visit(current);
}
