import type { InFlight, PartitionId } from '@tidemark/watermark';
import type { Overflow } from '../buffers/buffer-limit.js';
import type { TidemarkError } from '../errors.js';
import type { FailedRecord, Output } from '../message.js';
import type { Window } from '../reduce/window-spec.js';
import type { InFlightEntry } from './in-flight-table.js';
import type { Outcome, Stage } from './stages.js';

export type { Outcome, Stage } from './stages.js';

/**
 * The tracked state of one in-flight message. Times are epoch ms with
 * sub-ms precision (`performance.timeOrigin + performance.now()`), so times
 * taken on the main thread and in a worker compare; 0 means "not yet".
 */
export interface MessageTrace {
  /** Read order within one `process()` run, from 0. */
  readonly seq: number;
  readonly offset: number;
  readonly key: string | undefined;
  /** The source partition, when the source record named one. */
  readonly partition: PartitionId | undefined;
  readonly eventTime: number;
  /**
   * What the engine's `priority` option gave this message (higher goes
   * first); undefined without a `priority` function, and for a message that
   * failed before it had one (a bad item, or one whose priority function
   * threw or did not return a finite number).
   */
  readonly priority: number | undefined;
  /** The input watermark the message was read under. */
  readonly watermark: number;
  readonly late: boolean;
  /** Where it is now; only the run's `MessageTracker` moves it. */
  readonly stage: Stage;
  /** How it ended, once it has (set when it settles or is shed). */
  readonly outcome: Outcome | undefined;
  /** Tries started so far. */
  readonly attempts: number;
  /** Read from the source and queued. */
  readonly readAt: number;
  /** Last put in the input buffer (or back in it for another try). */
  readonly queuedAt: number;
  /** Last handed to the transport. */
  readonly dispatchedAt: number;
  /** Last try's start and end, as the worker measured them. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** The worker thread of the last try. */
  readonly threadId: number;
  /** The result came back to the main thread. */
  readonly completedAt: number;
  /** All outputs were handed to the consumer and the message was acked (or it was dropped). */
  readonly ackedAt: number;
  /**
   * Set when a full buffer's overflow policy took the message: dropped
   * (`stage: 'dropped'`, acked without outputs) or rejected (a failed record
   * with a `BufferFullError`).
   */
  readonly overflow: Overflow | undefined;
  /**
   * Windowed reduce: set on a window's result (not a source message: it
   * goes to a worker for the result and holds the window's messages until
   * it was handed over).
   */
  readonly window: Window | undefined;
}

/** The engine's mutable view of a {@link MessageTrace}: all but its stage, which only the run's `MessageTracker` writes. */
export interface MessageState extends Mutable<Omit<MessageTrace, 'stage'>> {
  readonly stage: Stage;
  /** Unique among the messages of one engine (all its runs): how the transport names it. */
  readonly id: number;
  readonly input: unknown;
  /** Batch number in batch mode; -1 in async mode. */
  readonly batch: number;
  /** Its size in the input and processing buffers' byte limits (0 when neither has one). */
  readonly bytes: number;
  /** The input watermark its source gave with it (`SourceRecord.watermark`), if any. */
  sourceWatermark: number | undefined;
  /** Values to emit once completed. */
  values: unknown[];
  /** Size of `values` in the output buffer's byte limit (0 when it has none). */
  outputBytes: number;
  /** Set once the message failed for good. */
  error: TidemarkError | undefined;
  /** While at the transport: frees its dispatch slot (the dispatch queue's callback). */
  release: (() => void) | undefined;
  /** While in flight: its entry in the tracker's watermark, given back when it leaves. */
  inFlight: InFlight | undefined;
  /** While in flight: its neighbours in read order in the tracker's table (in-flight-table.ts writes them). */
  older: InFlightEntry | undefined;
  newer: InFlightEntry | undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export { now } from '@tidemark/workers';

/** The values of a message with none (yet): shared, never written into. */
export const noValues: unknown[] = [];

/** A copy of `state`'s trace as it is now: its fields, not the engine's links (the tracker's table, the watermark, the dispatch slot). */
export function snapshot(state: MessageState): MessageTrace {
  const { seq, offset, key, partition, eventTime, priority, watermark, late, stage, outcome, attempts, readAt, queuedAt, dispatchedAt } = state;
  const { startedAt, endedAt, threadId, completedAt, ackedAt, overflow, window } = state;
  return { seq, offset, key, partition, eventTime, priority, watermark, late, stage, outcome, attempts, readAt, queuedAt, dispatchedAt, startedAt, endedAt, threadId, completedAt, ackedAt, overflow, window };
}

/** The record of one output value of a completed message. */
export function outputRecord(state: MessageState, value: unknown): Output {
  const { offset, key, eventTime, partition, window } = state;
  if (window !== undefined) return state.late ? { kind: 'output', offset, key, window, eventTime, value, late: true } : { kind: 'output', offset, key, window, eventTime, value };
  const record: Output = partition === undefined ? { kind: 'output', offset, key, eventTime, value } : { kind: 'output', offset, key, eventTime, value, partition };
  return state.late ? { ...record, late: true } : record;
}

/** The record of a message that failed for good. */
export function failedRecord(state: MessageState, error: TidemarkError): FailedRecord {
  const { offset, key, eventTime, attempts, window } = state;
  if (window !== undefined) return { kind: 'failed', offset, key, eventTime, input: undefined, error, attempts, window };
  const { input, partition } = state;
  const base: FailedRecord = { kind: 'failed', offset, key, eventTime, input, error, attempts };
  const record: FailedRecord = partition === undefined ? base : { ...base, partition };
  return state.late ? { ...record, late: true } : record;
}

/**
 * The state of a message just read (stage `read`, every time "not yet", no
 * outcome or values): what the intake makes of each source item, and the
 * window stage of each window's result.
 */
export function newMessageState(
  id: number,
  seq: number,
  offset: number,
  key: string | undefined,
  partition: PartitionId | undefined,
  eventTime: number,
  readAt: number,
  input: unknown,
  bytes: number,
  batch: number,
  error: TidemarkError | undefined,
  priority: number | undefined,
): MessageState {
  return {
    id,
    seq,
    offset,
    key,
    partition,
    eventTime,
    priority,
    watermark: Number.NEGATIVE_INFINITY,
    late: false,
    stage: 'read',
    outcome: undefined,
    attempts: 0,
    readAt,
    queuedAt: 0,
    dispatchedAt: 0,
    startedAt: 0,
    endedAt: 0,
    threadId: -1,
    completedAt: 0,
    ackedAt: 0,
    overflow: undefined,
    window: undefined,
    sourceWatermark: undefined,
    input,
    bytes,
    batch,
    values: noValues,
    outputBytes: 0,
    error,
    release: undefined,
    inFlight: undefined,
    older: undefined,
    newer: undefined,
  };
}
