import type { Readable } from 'node:stream';
import { MalformedInputError, RecordTooLargeError } from '../errors.js';
import type { SourceRecord } from '../message.js';
import { ndjsonLines } from './ndjson-lines.js';

/** Options of {@link ndjsonSource}. */
export interface NdjsonSourceOptions {
  /** Bytes one line may have; a longer one becomes a failed record. @default 16 MiB */
  maxRecordBytes?: number;
  /**
   * Skip the lines before this 0-based line index, unread: a resumed run
   * starts at a committed offset. Offsets stay the input's line indexes.
   * @default 0
   */
  from?: number;
  /**
   * Told where each record's line lies in the input, in bytes from the
   * stream's start (the lines `from` skips counted): for progress measured
   * in the bytes done rather than the bytes read, since the engine reads
   * ahead of what it has done. See {@link NdjsonPositions}.
   */
  positions?: NdjsonPositions;
}

/**
 * Where the lines of an NDJSON input lie, as {@link ndjsonSource} reads it.
 * With the engine's `ack` event (which message is done) this tells how far
 * into the input every line is done: up to the start of the line of the
 * lowest offset still in flight or, with none in flight, up to the last
 * line passed.
 */
export interface NdjsonPositions {
  /** Just before the record at `offset` is yielded: the byte its line starts at. */
  record(offset: number, start: number): void;
  /** The source is past byte `end`: the end of a line (its newline included), a record's or a blank one. */
  passed(end: number): void;
}

/** The default of `maxRecordBytes` (and of `tidemark run --max-record-bytes`). */
export const defaultMaxRecordBytes = 16 * 1024 * 1024;

/**
 * Read NDJSON records `{ value, eventTime?, key? }`, one per line; a record's
 * offset is its 0-based line index and its `bytes` the line's length. Blank
 * lines are skipped. A line that is not valid JSON or not such a record is
 * yielded with a `MalformedInputError` (naming its 1-based line) and the raw
 * line as its value, a line over `maxRecordBytes` with a
 * `RecordTooLargeError` and its first bytes (the rest is never held in
 * memory), so the engine turns it into a failed record in its place;
 * reading goes on.
 */
export async function* ndjsonSource(input: Readable, options: NdjsonSourceOptions = {}): AsyncGenerator<SourceRecord> {
  const max = options.maxRecordBytes ?? defaultMaxRecordBytes;
  const positions = options.positions;
  for await (const line of ndjsonLines(input, max, options.from)) {
    const { index, bytes } = line;
    const blank = line.tooLarge !== true && line.text.trim() === '';
    if (positions !== undefined) {
      if (!blank) positions.record(index, line.start);
      positions.passed(line.end);
    }
    if (line.tooLarge === true) {
      yield { value: line.head, offset: index, error: new RecordTooLargeError(index + 1, bytes, max) };
      continue;
    }
    const text = line.text;
    if (blank) continue;
    const parsed = parseRecord(text, index + 1);
    yield parsed instanceof MalformedInputError
      ? { value: text, offset: index, error: parsed }
      : { ...parsed, offset: index, bytes };
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
