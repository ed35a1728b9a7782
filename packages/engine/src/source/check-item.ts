import type { PartitionId } from '@tidemark/watermark';
import { InvalidMessageError, TidemarkError } from '../errors.js';
import type { SourceRecord } from '../message.js';

/**
 * Why a source item cannot be a message, or undefined when it can (then its
 * fields are the message's as they are: nothing is allocated for it). A bad
 * item becomes a failed record without reaching a worker.
 */
export function problemOf(item: SourceRecord): TidemarkError | undefined {
  if (typeof item !== 'object' || item === null) return new InvalidMessageError('a source item must be an object with a `value`');
  if (item.error !== undefined) {
    // The source read the item but could not decode it (a malformed line).
    return item.error instanceof TidemarkError
      ? item.error
      : new InvalidMessageError(`the source could not read this item: ${String(item.error)}`, { cause: item.error });
  }
  if (!('value' in item)) return new InvalidMessageError('a source item must be an object with a `value`');
  const { eventTime, key, partition, offset, bytes } = item;
  if (eventTime !== undefined && !Number.isFinite(eventTime)) return new InvalidMessageError('`eventTime` must be a finite number');
  if (key !== undefined && typeof key !== 'string') return new InvalidMessageError('`key` must be a string');
  if (partition !== undefined && !isPartition(partition)) return new InvalidMessageError('`partition` must be a string or a finite number');
  if (offset !== undefined && !Number.isSafeInteger(offset)) return new InvalidMessageError('`offset` must be a safe integer');
  if (bytes !== undefined && !(typeof bytes === 'number' && bytes >= 0 && Number.isFinite(bytes))) {
    return new InvalidMessageError('`bytes` must be a finite number from 0 and up');
  }
  return undefined;
}

/**
 * What is kept of a bad item: its offset and partition where they are valid
 * (so that its failed record counts where it came from), and its value (the
 * whole item when it has none) as the failed record's input.
 */
export function salvage(item: SourceRecord): { offset: number | undefined; partition: PartitionId | undefined; input: unknown } {
  if (typeof item !== 'object' || item === null) return { offset: undefined, partition: undefined, input: item };
  return {
    offset: Number.isSafeInteger(item.offset) ? item.offset : undefined,
    partition: isPartition(item.partition) ? item.partition : undefined,
    input: item.error !== undefined ? item.value : item,
  };
}

function isPartition(partition: unknown): partition is PartitionId {
  return typeof partition === 'string' || (typeof partition === 'number' && Number.isFinite(partition));
}
