import type { Engine } from '../engine.js';
import type { SourceRecord } from '../message.js';
import { now } from '../run/message-state.js';
import type { MessageTrace } from '../run/message-state.js';
import type { SkewTimes } from './run-summary.js';
import { inFlightSeries, thin } from './timeline.js';
import type { SkewTimeline } from './timeline.js';

/** Options of {@link measureRun}. */
export interface MeasureOptions<T> {
  /** Called with the engine just before the measured run starts (for a progress display). */
  readonly measuring?: (engine: Engine) => void;
  /** Called with every output value (the skew workload keeps the latency its transform measured). */
  readonly output?: (value: T) => void;
  /** Stops reading (the engine's `process` signal): what is in flight finishes, and the run ends early. */
  readonly signal?: AbortSignal;
}

/** What {@link measureRun} recorded. */
export interface MeasuredRun {
  /** Per-message times, message `i` (read order) at index `i`. */
  readonly times: SkewTimes;
  /** Messages acked. */
  readonly acked: number;
  /** Failed records. */
  readonly failed: number;
  readonly timeline: SkewTimeline;
}

/**
 * One measured `engine.process()` over `source`, whose `messages` items are
 * read in index order: each message's read, dispatch, start, end, completion
 * and ack time from its `ack` event, and the watermark lag (`now -
 * watermark`) at each ack. The engine should be warmed up first (threads
 * started, transform loaded): the window begins at this call's first read.
 */
export async function measureRun<T = unknown>(
  engine: Engine,
  source: Iterable<SourceRecord> | AsyncIterable<SourceRecord>,
  messages: number,
  options: MeasureOptions<T> = {},
): Promise<MeasuredRun> {
  const n = messages;
  const readAt = new Float64Array(n);
  const ackedAt = new Float64Array(n);
  const startedAt = new Float64Array(n);
  const endedAt = new Float64Array(n);
  const dispatchedAt = new Float64Array(n);
  const completedAt = new Float64Array(n);
  const lags: number[] = [];
  const lagSeries: [number, number][] = [];
  let begin = 0;
  let acked = 0;
  const onAck = (trace: MessageTrace) => {
    acked++;
    readAt[trace.seq] = trace.readAt;
    dispatchedAt[trace.seq] = trace.dispatchedAt;
    completedAt[trace.seq] = trace.completedAt;
    ackedAt[trace.seq] = trace.ackedAt;
    startedAt[trace.seq] = trace.startedAt;
    endedAt[trace.seq] = trace.endedAt;
    const watermark = engine.watermark;
    if (Number.isFinite(watermark)) {
      lags.push(trace.ackedAt - watermark);
      lagSeries.push([trace.ackedAt - begin, trace.ackedAt - watermark]);
    }
  };
  let failed = 0;
  engine.on('ack', onAck);
  try {
    options.measuring?.(engine);
    begin = now();
    for await (const record of engine.process<T>(source, options.signal === undefined ? {} : { signal: options.signal })) {
      if (record.kind === 'output') options.output?.(record.value);
      else failed++;
    }
  } finally {
    engine.off('ack', onAck);
  }
  const end = now();
  const e2e = Array.from(ackedAt, (ack, i) => ack - (readAt[i] ?? 0));
  return {
    times: { readAt, ackedAt, startedAt, endedAt, lags, begin, end },
    acked,
    failed,
    timeline: {
      inFlight: inFlightSeries(dispatchedAt, completedAt, begin),
      watermarkLag: thin(lagSeries),
      latencies: e2e,
    },
  };
}
