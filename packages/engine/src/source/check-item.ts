import { InvalidMessageError, TidemarkError } from '../errors.js';
import type { PartitionId } from '@tidemark/watermark';
import type { SourceRecord } from '../message.js';

/** A source item, checked: the message's fields, or why it is not a message. */
export interface CheckedItem {
  readonly offset: number | undefined;
  readonly key: string | undefined;
  readonly partition: PartitionId | undefined;
  readonly eventTime: number | undefined;
  /** The size the source gave, if any. */
  readonly bytes: number | undefined;
  /** What the transform gets, or what the failed record keeps. */
  readonly input: unknown;
  /** Set when the item becomes a failed record without reaching a worker. */
  readonly error: TidemarkError | undefined;
}

/** Check one source item; a bad one keeps what can be kept (its offset when valid). */
export function checkItem(item: SourceRecord): CheckedItem {
  if (typeof item !== 'object' || item === null) {
    return invalid(item, 'a source item must be an object with a `value`');
  }
  // What can be kept of a bad item: its partition and offset, so that its
  // failed record counts where it came from.
  const partition = partitionOf(item);
  const offset = Number.isSafeInteger(item.offset) ? item.offset : undefined;
  if (item.error !== undefined) {
    // The source read the item but could not decode it (a malformed line).
    const error =
      item.error instanceof TidemarkError
        ? item.error
        : new InvalidMessageError(`the source could not read this item: ${String(item.error)}`, { cause: item.error });
    return { offset, key: undefined, partition: partitionOf(item), eventTime: undefined, bytes: undefined, input: item.value, error };
  }
  if (!('value' in item)) return invalid(item, 'a source item must be an object with a `value`', offset, partition);
  if (item.eventTime !== undefined && !Number.isFinite(item.eventTime)) {
    return invalid(item, '`eventTime` must be a finite number', offset, partition);
  }
  if (item.key !== undefined && typeof item.key !== 'string') return invalid(item, '`key` must be a string', offset, partition);
  if (item.partition !== undefined && partition === undefined) return invalid(item, '`partition` must be a string or a finite number', offset);
  if (item.offset !== undefined && offset === undefined) return invalid(item, '`offset` must be a safe integer', undefined, partition);
  if (item.bytes !== undefined && !(typeof item.bytes === 'number' && item.bytes >= 0 && Number.isFinite(item.bytes))) {
    return invalid(item, '`bytes` must be a finite number from 0 and up', offset, partition);
  }
  return { offset, key: item.key, partition: item.partition, eventTime: item.eventTime, bytes: item.bytes, input: item.value, error: undefined };
}

/** The item's partition if it is a valid one. */
function partitionOf(item: SourceRecord): PartitionId | undefined {
  const partition = item.partition;
  return typeof partition === 'string' || (typeof partition === 'number' && Number.isFinite(partition)) ? partition : undefined;
}

function invalid(item: unknown, reason: string, offset?: number, partition?: PartitionId): CheckedItem {
  return {
    offset,
    key: undefined,
    partition,
    eventTime: undefined,
    bytes: undefined,
    input: item,
    error: new InvalidMessageError(reason),
  };
}
