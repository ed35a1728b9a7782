import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { MalformedInputError } from '../errors.js';
import type { SourceRecord } from '../message.js';

/**
 * Read NDJSON records `{ value, eventTime?, key? }`, one per line; a record's
 * offset is its 0-based line index. Blank lines are skipped. A line that is
 * not valid JSON or not such a record is yielded with a `MalformedInputError`
 * (naming its 1-based line) and the raw line as its value, so the engine
 * turns it into a failed record in its place; reading goes on.
 */
export async function* ndjsonSource(input: Readable): AsyncGenerator<SourceRecord> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let index = -1;
  for await (const text of lines) {
    index++;
    if (text.trim() === '') continue;
    const parsed = parseRecord(text, index + 1);
    yield parsed instanceof MalformedInputError
      ? { value: text, offset: index, error: parsed }
      : { ...parsed, offset: index };
  }
}

function parseRecord(text: string, line: number): SourceRecord | MalformedInputError {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    return new MalformedInputError(line, `not JSON (${(error as Error).message})`);
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record) || !('value' in record)) {
    return new MalformedInputError(line, 'expected an object with a `value`');
  }
  const { value, eventTime, key } = record as Record<string, unknown>;
  if (eventTime !== undefined && (typeof eventTime !== 'number' || !Number.isFinite(eventTime))) {
    return new MalformedInputError(line, '`eventTime` must be a finite number');
  }
  if (key !== undefined && typeof key !== 'string') {
    return new MalformedInputError(line, '`key` must be a string');
  }
  return {
    value,
    ...(eventTime === undefined ? {} : { eventTime }),
    ...(key === undefined ? {} : { key }),
  };
}
