import { InvalidMessageError } from './errors.js';
import type { SourceRecord } from './message.js';

/** Why a source item is not a message, or undefined when it is one. */
export function checkItem(item: SourceRecord): InvalidMessageError | undefined {
  if (typeof item !== 'object' || item === null || !('value' in item)) {
    return new InvalidMessageError('a source item must be an object with a `value`');
  }
  if (item.eventTime !== undefined && !Number.isFinite(item.eventTime)) {
    return new InvalidMessageError('`eventTime` must be a finite number');
  }
  if (item.key !== undefined && typeof item.key !== 'string') {
    return new InvalidMessageError('`key` must be a string');
  }
  if (item.offset !== undefined && !Number.isSafeInteger(item.offset)) {
    return new InvalidMessageError('`offset` must be a safe integer');
  }
  return undefined;
}
