import { InvalidMessageError, describeThrown, show } from '../errors.js';
import type { TidemarkError } from '../errors.js';
import { newMessageState } from '../run/message-state.js';
import { ItemReader, salvage } from './check-item.js';
import { PartitionedRecord } from './partitioned-record.js';
import type { SourceRecord } from '../message.js';
import type { MessageIds } from '../run/message-ids.js';
import { turnClock } from '../run/turn-clock.js';
import type { MessageState } from '../run/message-state.js';

/**
 * Where a source item becomes a message: checked, numbered in read order,
 * stamped with its read time and event time, weighed when a byte limit
 * needs its size, and ranked by the `priority` option when there is one.
 * The tracker then reads it under its partition's input watermark.
 */
export class Intake {
  readonly #sized: boolean;
  readonly #reader: ItemReader;
  readonly #ids: MessageIds;
  readonly #priority: ((record: SourceRecord) => number) | undefined;
  #seq = 0;

  /**
   * `ids`: the engine's message ids (unique across its runs). `priority`: the engine's `priority` option, run on each
   * item read.
   */
  constructor(sized: boolean, ids: MessageIds, priority?: (record: SourceRecord) => number) {
    this.#priority = priority;
    this.#sized = sized;
    this.#reader = new ItemReader(sized);
    this.#ids = ids;
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
      const partition = given?.partition ?? reader.partition;
      const eventTime = reader.eventTime ?? readAt;
      // A well-formed item whose priority cannot be had fails alone, keeping its fields.
      const rank = this.#priority === undefined ? undefined : priorityOf(this.#priority, item);
      const failed = typeof rank === 'object' ? rank : undefined;
      const priority = typeof rank === 'number' ? rank : undefined;
      const state = newMessageState(this.#ids.take(), seq, offset, reader.key, partition, eventTime, readAt, input, failed === undefined ? reader.bytes : 0, batch, failed, priority);
      state.sourceWatermark = reader.watermark;
      return state;
    }
    // A bad item gets an event time from the tracker (NaN here): the
    // watermark it is read under, so it cannot move it.
    const { offset, partition, input } = salvage(item);
    return newMessageState(this.#ids.take(), seq, offset ?? given?.arrival ?? seq, undefined, given?.partition ?? partition, Number.NaN, readAt, input, 0, batch, error, undefined);
  }
}

/**
 * The priority `rank` gives `record`: a finite number, or why the message
 * fails (it threw, or gave anything else). Run on the main thread on the
 * user's own record, once per message.
 */
function priorityOf(rank: (record: SourceRecord) => number, record: SourceRecord): number | TidemarkError {
  let priority: unknown;
  try {
    priority = rank(record);
  } catch (thrown) {
    return new InvalidMessageError(`the priority function threw: ${describeThrown(thrown)}`, { cause: thrown });
  }
  if (typeof priority === 'number' && Number.isFinite(priority)) return priority;
  settleQuietly(priority);
  return new InvalidMessageError(`the priority function must return a finite number, got ${show(priority)}`);
}

/**
 * An async priority function's promise is refused like any other non-number;
 * its rejection must not go unhandled (that would end the host process).
 */
function settleQuietly(value: unknown): void {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return;
  try {
    const then = (value as { then?: unknown }).then;
    if (typeof then === 'function') Promise.resolve(value).catch(() => {});
  } catch {
    // A Proxy or getter that throws on `then`: nothing to settle.
  }
}
