import type { PartitionId } from '@tidemark/watermark';
import type { TidemarkError } from '../errors.js';
import { noValues } from '../run/message-state.js';
import { ItemReader, salvage } from './check-item.js';
import { PartitionedRecord } from './partitioned-record.js';
import type { SourceRecord } from '../message.js';
import { turnClock } from '../run/turn-clock.js';
import type { MessageState } from '../run/message-state.js';

/**
 * Where a source item becomes a message: checked, numbered in read order,
 * stamped with its read time and event time, and weighed when a byte limit
 * needs its size. The tracker then reads it under its partition's input
 * watermark.
 */
export class Intake {
  readonly #sized: boolean;
  readonly #reader: ItemReader;
  readonly #firstId: number;
  #seq = 0;

  /**
   * `firstId`: where this run's message ids start (ids stay unique across an
   * engine's runs). `priority`: the engine's `priority` option, run on each
   * item read.
   */
  constructor(sized: boolean, firstId: number, priority?: (record: SourceRecord) => number) {
    void priority;
    this.#sized = sized;
    this.#reader = new ItemReader(sized);
    this.#firstId = firstId;
  }

  /** Whether input sizes are measured (a byte limit on the input or processing buffer). */
  get sized(): boolean {
    return this.#sized;
  }

  /** The state of one item read now, in batch `batch` (-1 in async mode). */
  take(item: SourceRecord, batch: number): MessageState {
    const readAt = turnClock.now();
    const seq = this.#seq++;
    // From a `partitioned()` source: the partition is the merge's, and an
    // item without a (valid) offset gets its arrival number in it.
    let given: PartitionedRecord | undefined;
    if (PartitionedRecord.is(item)) {
      given = item;
      item = item.item as SourceRecord;
    }
    const reader = this.#reader;
    const error = reader.read(item, given === undefined);
    if (error === undefined) {
      const input = reader.value;
      reader.value = undefined; // not held past its message
      const offset = reader.offset ?? given?.arrival ?? seq;
      return this.#state(seq, offset, reader.key, given?.partition ?? reader.partition, reader.eventTime ?? readAt, readAt, input, reader.bytes, batch, undefined);
    }
    // A bad item gets an event time from the tracker (NaN here): the
    // watermark it is read under, so it cannot move it.
    const { offset, partition, input } = salvage(item);
    return this.#state(seq, offset ?? given?.arrival ?? seq, undefined, given?.partition ?? partition, Number.NaN, readAt, input, 0, batch, error);
  }

  #state(
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
  ): MessageState {
    return {
      id: this.#firstId + seq,
      seq,
      offset,
      key,
      partition,
      eventTime,
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
      input,
      bytes,
      batch,
      values: noValues,
      outputBytes: 0,
      error,
      release: undefined,
    };
  }
}
