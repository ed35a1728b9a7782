import { register } from 'prom-client';
import type { Engine, EngineRecord, MessageTrace, RunStats } from '../../src/index.js';
import { keyOf } from './build-items.js';
import type { ConsumerSpec } from './scenario.js';

// One run of the engine as the fuzz consumer takes it (all, or leaving by
// break, throw, abandoning the iterator, abort or close()), and everything
// seen on the way: each record with its place, each ack, the watermark, and
// the rules that can be checked the moment a record arrives (plus a
// scrape of the metrics, when they are on).

export interface Handed {
  readonly record: EngineRecord;
  /** Which chunk (or, in process(), which record) brought it. */
  readonly chunk: number;
}

export interface Observation {
  readonly handed: Handed[];
  /** By {@link keyOf}: partition and offset. */
  readonly acks: Map<string, MessageTrace[]>;
  /** Broken rules seen as the run went: a record after its ack, the watermark, the order, the busy check. */
  readonly problems: string[];
  /** How the consumer's loop ended: by itself, by the consumer leaving, or with an error. */
  ended: { how: 'done' } | { how: 'left' } | { how: 'error'; error: unknown };
  /** Whether the consumer's abort or close() happened. */
  stopped: boolean;
  /** engine.close() called by a `close` consumer. */
  closing: Promise<void> | undefined;
  /** The committed offset, per partition ('' without partitions). */
  committed: Map<string, number>;
  inFlight: number;
  stats: RunStats | undefined;
}

/** The error a `throw` consumer leaves with. */
export class LeaveError extends Error {
  constructor() {
    super('fuzz: the consumer threw');
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Reads the engine's metrics mid-run, as Prometheus would (with `metrics` on). */
async function scrape(engine: Engine, problems: string[]): Promise<void> {
  const metrics = engine.options.metrics;
  if (metrics === undefined) return;
  try {
    const text = await (metrics.registry ?? register).metrics();
    if (!text.includes('tidemark_messages_read_total')) problems.push('the metrics lack tidemark_messages_read_total');
  } catch (error) {
    problems.push(`reading the metrics threw ${String(error)}`);
  }
}

/** Runs `source` through `engine` as `consumer` says; `abort` is the run's signal's controller. */
export async function observeRun(
  engine: Engine,
  source: Iterable<unknown> | AsyncIterable<unknown>,
  consumer: ConsumerSpec,
  abort: AbortController,
  ordered: boolean,
  partitioned: boolean,
): Promise<Observation> {
  const seen: Observation = {
    handed: [],
    acks: new Map(),
    problems: [],
    ended: { how: 'done' },
    stopped: false,
    closing: undefined,
    committed: new Map(),
    inFlight: 0,
    stats: undefined,
  };
  let watermark = Number.NEGATIVE_INFINITY;
  const onWatermark = (value: number): void => {
    if (!(value >= watermark)) seen.problems.push(`the watermark went from ${watermark} to ${value}`);
    watermark = value;
  };
  const onAck = (trace: MessageTrace): void => {
    const key = keyOf(trace.partition, trace.offset);
    const list = seen.acks.get(key) ?? [];
    list.push(trace);
    seen.acks.set(key, list);
  };
  engine.on('watermark', onWatermark);
  engine.on('ack', onAck);
  /** Per partition, the last offset handed over: in ordered mode, each partition's offsets come in order. */
  const lastOffset = new Map<unknown, number>();
  const take = (record: EngineRecord, chunk: number): void => {
    if (seen.handed.length === 0) {
      try {
        void engine.process([]);
        seen.problems.push('a second process() during a run did not throw EngineBusyError');
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'ERR_TIDEMARK_ENGINE_BUSY') seen.problems.push(`a second process() threw ${String(error)}`);
      }
    }
    const key = keyOf(record.partition, record.offset);
    if (seen.acks.has(key)) seen.problems.push(`a record of ${key} came after its ack`);
    if (record.late !== true && record.eventTime < watermark) {
      seen.problems.push(`offset ${record.offset}: event time ${record.eventTime} below the watermark ${watermark}, not late`);
    }
    const before = lastOffset.get(record.partition) ?? Number.NEGATIVE_INFINITY;
    if (ordered && record.offset < before) seen.problems.push(`ordered: ${key} after offset ${before}`);
    lastOffset.set(record.partition, record.offset);
    seen.handed.push({ record, chunk });
  };
  const stop = (): void => {
    if (seen.stopped) return;
    seen.stopped = true;
    if (consumer.leave === 'abort' || consumer.leave === 'abort-first') abort.abort();
    // close() is idempotent: a second call while the first is under way ends with it.
    else seen.closing = Promise.all([engine.close(), engine.close()]).then(() => {});
  };
  const options = { signal: abort.signal };
  try {
    if (consumer.leave === 'abort-first') stop();
    const records =
      consumer.chunks === null
        ? engine.process(source as Iterable<never>, options)
        : engine.processChunks(source as Iterable<never>, { ...options, size: consumer.chunks });
    if (consumer.leave === 'close-first') stop();
    let count = 0;
    for (let chunk = 0; ; chunk++) {
      const next = await records.next();
      if (next.done === true) break;
      const got: EngineRecord[] = Array.isArray(next.value) ? next.value : [next.value];
      if (consumer.chunks !== null && got.length === 0) seen.problems.push('an empty chunk');
      for (const record of got) take(record, chunk);
      if (chunk === 0) await scrape(engine, seen.problems);
      count += got.length;
      if (count > consumer.after) {
        if (consumer.leave === 'break' || consumer.leave === 'abandon') {
          // A for-await loop's break calls return(), as this does; abandon does not.
          if (consumer.leave === 'break') await records.return();
          seen.ended = { how: 'left' };
          break;
        }
        if (consumer.leave === 'throw') {
          await records.return();
          throw new LeaveError();
        }
        if (consumer.leave === 'abort' || consumer.leave === 'close') stop();
      }
      for (let i = 0; i < consumer.slow; i++) await turn();
    }
  } catch (error) {
    seen.ended = error instanceof LeaveError ? { how: 'left' } : { how: 'error', error };
  } finally {
    engine.off('watermark', onWatermark);
    engine.off('ack', onAck);
  }
  seen.committed = partitioned ? new Map([...engine.committedOffsets].map(([partition, offset]) => [String(partition), offset])) : new Map([['', engine.committedOffset]]);
  seen.inFlight = engine.inFlight;
  seen.stats = engine.stats === undefined ? undefined : { ...engine.stats };
  return seen;
}
