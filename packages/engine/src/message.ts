import type { PartitionId } from '@tidemark/watermark';
import type { TidemarkError } from './errors.js';

/** One item of a source: the value and, optionally, where and when it came from. */
export interface SourceRecord<T = unknown> {
  readonly value: T;
  /** Event time, epoch ms unless your source says otherwise. @default the time it is read */
  readonly eventTime?: number;
  /**
   * The source's own input watermark as of this record, when it keeps one
   * (a stage of a pipeline passes on the watermark of the stage before): no
   * later record of its partition has an event time below it unless late.
   * The partition's input watermark rises to it (never falls) before this
   * record is read; the engine's `maxOutOfOrderness` estimate still applies
   * beside it (the higher of the two counts).
   */
  readonly watermark?: number;
  /** Partition or ordering key, passed to the transform and kept on the output. */
  readonly key?: string;
  /**
   * The source partition it came from (a Kafka partition, a file, a shard),
   * with its own input watermark; see `partitioned()`. Kept on the output.
   * @default one partition for the whole source
   */
  readonly partition?: PartitionId;
  /** The source's position. @default its arrival number, from 0 */
  readonly offset?: number;
  /**
   * The record's size in bytes, for the buffers' byte limits (an NDJSON
   * source gives the line's length). @default an estimate of `value`'s size
   */
  readonly bytes?: number;
  /**
   * Set by a source that read an item but could not decode it (a malformed
   * line): the item becomes a failed record with this error, its `offset`
   * kept and `value` (the raw item) as its input, without reaching a worker.
   */
  readonly error?: Error;
}

/** A transform's output, one per value the transform emitted. */
export interface Output<T = unknown> {
  readonly kind: 'output';
  readonly offset: number;
  readonly key: string | undefined;
  readonly eventTime: number;
  readonly value: T;
  /** Present when the source record had a partition. */
  readonly partition?: PartitionId;
  /**
   * Present and true when the message was already late when it was read;
   * under windowed reduce, when it was later than the allowed lateness (its
   * input is the value, and it is in no window), or on a window's result
   * made only of messages late against the watermark (within the allowed
   * lateness: the watermark may have passed the window's end).
   */
  readonly late?: true;
  /**
   * Windowed reduce: the window this result is for. `eventTime` is then
   * `window.end - 1`, `offset` the lowest offset of the window's messages,
   * and `value` what the reduce module's `result` returned.
   */
  readonly window?: { readonly start: number; readonly end: number };
}

/**
 * A message that could not be processed: its transform threw on every try
 * (`error` is a `TransformError`), the source item was not a message
 * (`InvalidMessageError`), or the source could not decode it (the error the
 * source gave, such as `MalformedInputError`). It is acked like an output,
 * and the run goes on.
 */
export interface FailedRecord {
  readonly kind: 'failed';
  readonly offset: number;
  readonly key: string | undefined;
  readonly eventTime: number;
  /** The value the source gave (the whole item when it was not a message). */
  readonly input: unknown;
  readonly error: TidemarkError;
  /** Tries made; 0 when the item never reached a worker. */
  readonly attempts: number;
  /** Present when the source record had a partition. */
  readonly partition?: PartitionId;
  readonly late?: true;
  /** Windowed reduce: the window whose result failed (its `input` is then undefined). */
  readonly window?: { readonly start: number; readonly end: number };
}

/** What `engine.process()` yields. */
export type EngineRecord<T = unknown> = Output<T> | FailedRecord;
