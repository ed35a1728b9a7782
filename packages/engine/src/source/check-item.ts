import type { PartitionId } from '@tidemark/watermark';
import { sizeOf } from '../buffers/size-of.js';
import { InvalidMessageError, TidemarkError, describeThrown } from '../errors.js';
import type { SourceRecord } from '../message.js';

/** What the reader was doing when an item threw: reading one of its fields, or measuring its value. */
type Step = 'error' | 'value' | 'eventTime' | 'watermark' | 'key' | 'partition' | 'offset' | 'bytes' | 'measure';

/**
 * Reads a source item into the fields of its message and says why it
 * cannot be one. Each field is read once, in a fixed order, into this
 * reader's own fields: one reader serves a whole run, so nothing is
 * allocated for a well-formed item, and what is checked is what is used
 * (a getter that changes its answer cannot slip past the checks).
 *
 * An item that throws as it is read (a getter, a Proxy trap, a revoked
 * Proxy), or whose value throws as it is measured for a byte limit, is a bad
 * item like any other: the error names the field and what it threw. The
 * one `try` costs nothing while nothing throws.
 */
export class ItemReader {
  value: unknown = undefined;
  eventTime: number | undefined = undefined;
  watermark: number | undefined = undefined;
  key: string | undefined = undefined;
  partition: PartitionId | undefined = undefined;
  offset: number | undefined = undefined;
  /** The item's `bytes`, or its value's estimated size when sizes are measured; else 0. */
  bytes = 0;
  readonly #sized: boolean;

  /** `sized`: measure each value (a byte limit needs its size) when the item does not give `bytes`. */
  constructor(sized: boolean) {
    this.#sized = sized;
  }

  /**
   * Read `item`: undefined when it is a message (its fields are then on
   * this reader), else why not. Without `ownPartition` the item's
   * `partition` is not read (a `partitioned()` source names it).
   */
  read(item: SourceRecord, ownPartition = true): TidemarkError | undefined {
    if (typeof item !== 'object' || item === null) return new InvalidMessageError('a source item must be an object with a `value`');
    let step: Step = 'error';
    try {
      const error = item.error;
      // The source read the item but could not decode it (a malformed line).
      if (error !== undefined) return sourceError(error);
      step = 'value';
      if (!('value' in item)) return new InvalidMessageError('a source item must be an object with a `value`');
      const value = item.value;
      step = 'eventTime';
      const eventTime = item.eventTime;
      if (eventTime !== undefined && !Number.isFinite(eventTime)) return new InvalidMessageError('`eventTime` must be a finite number');
      step = 'watermark';
      const watermark = item.watermark;
      if (watermark !== undefined && !Number.isFinite(watermark)) return new InvalidMessageError('`watermark` must be a finite number');
      step = 'key';
      const key = item.key;
      if (key !== undefined && typeof key !== 'string') return new InvalidMessageError('`key` must be a string');
      step = 'partition';
      const partition = ownPartition ? item.partition : undefined;
      if (partition !== undefined && !isPartition(partition)) return new InvalidMessageError('`partition` must be a string or a finite number');
      step = 'offset';
      const offset = item.offset;
      if (offset !== undefined && !Number.isSafeInteger(offset)) return new InvalidMessageError('`offset` must be a safe integer');
      step = 'bytes';
      const bytes = item.bytes;
      if (bytes !== undefined && !(typeof bytes === 'number' && bytes >= 0 && Number.isFinite(bytes))) {
        return new InvalidMessageError('`bytes` must be a finite number from 0 and up');
      }
      step = 'measure';
      this.bytes = this.#sized ? (bytes ?? sizeOf(value)) : 0;
      this.value = value;
      this.eventTime = eventTime;
      this.watermark = watermark;
      this.key = key;
      this.partition = partition;
      this.offset = offset;
      return undefined;
    } catch (thrown) {
      const what = step === 'measure' ? 'measuring `value` for the byte limit' : `reading \`${step}\``;
      return new InvalidMessageError(`the source item threw on ${what}: ${describeThrown(thrown)}`, { cause: thrown });
    }
  }
}

/**
 * What is kept of a bad item: its offset and partition where they are valid
 * and can be read (so that its failed record counts where it came from), and
 * its value (the whole item when it has none) as the failed record's input.
 * Every read is guarded: the item may be one that throws.
 */
export function salvage(item: SourceRecord): { offset: number | undefined; partition: PartitionId | undefined; input: unknown } {
  if (typeof item !== 'object' || item === null) return { offset: undefined, partition: undefined, input: item };
  const offset = peek(item, 'offset');
  const partition = peek(item, 'partition');
  return {
    offset: Number.isSafeInteger(offset) ? (offset as number) : undefined,
    partition: isPartition(partition) ? partition : undefined,
    input: peek(item, 'error') !== undefined ? peek(item, 'value') : item,
  };
}

function sourceError(error: unknown): TidemarkError {
  return error instanceof TidemarkError
    ? error
    : new InvalidMessageError(`the source could not read this item: ${describeThrown(error)}`, { cause: error });
}

/** A field of an item that may throw as it is read: undefined then. */
function peek(item: object, field: keyof SourceRecord): unknown {
  try {
    return (item as Partial<Record<keyof SourceRecord, unknown>>)[field];
  } catch {
    return undefined;
  }
}

function isPartition(partition: unknown): partition is PartitionId {
  return typeof partition === 'string' || (typeof partition === 'number' && Number.isFinite(partition));
}
