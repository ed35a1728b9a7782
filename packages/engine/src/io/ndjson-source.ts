import type { Readable } from 'node:stream';
import { InvalidOptionError, MalformedInputError, RecordTooLargeError } from '../errors.js';
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
  /**
   * With `from`: the lines before it were skipped, `lines` of them (fewer
   * than `from` when the input ended first), and the next line starts at
   * byte `end`. Told once, before any other call.
   */
  skipped?(lines: number, end: number): void;
}

/** The default of `maxRecordBytes` (and of `tidemark run --max-record-bytes`). */
export const defaultMaxRecordBytes = 16 * 1024 * 1024;

/**
 * Read NDJSON records `{ value, eventTime?, key? }`, one per line; a record's
 * offset is its 0-based line index and its `bytes` the line's length. Blank
 * lines are skipped, and so is a UTF-8 byte-order mark at the start of the
 * input. A line that is not valid JSON or not such a record is
 * yielded with a `MalformedInputError` (naming its 1-based line) and the raw
 * line as its value, a line over `maxRecordBytes` with a
 * `RecordTooLargeError` and its first bytes (the rest is never held in
 * memory), so the engine turns it into a failed record in its place;
 * reading goes on.
 *
 * `input` and the options are checked when it is called, before anything is
 * read: a bad one throws {@link InvalidOptionError} naming it (`input`,
 * `from`, `maxRecordBytes`, `positions`). An input that yields anything but
 * bytes or text (an object-mode stream of objects) fails the read with an
 * `InvalidOptionError` naming `input`.
 */
export function ndjsonSource(input: Readable, options: NdjsonSourceOptions = {}): AsyncGenerator<SourceRecord> {
  if (typeof (input as Partial<Readable> | null)?.[Symbol.asyncIterator] !== 'function') {
    throw new InvalidOptionError('input', 'a readable stream (or an async iterable of Buffers or strings)', input);
  }
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', 'an object', options);
  const { from = 0, maxRecordBytes = defaultMaxRecordBytes, positions } = options;
  if (!(Number.isSafeInteger(from) && from >= 0)) throw new InvalidOptionError('from', 'an integer from 0 up (a 0-based line index)', from);
  if (!(Number.isSafeInteger(maxRecordBytes) && maxRecordBytes >= 1)) {
    throw new InvalidOptionError('maxRecordBytes', 'an integer from 1 up (bytes of one line)', maxRecordBytes);
  }
  if (
    positions !== undefined &&
    (typeof positions?.record !== 'function' ||
      typeof positions.passed !== 'function' ||
      (positions.skipped !== undefined && typeof positions.skipped !== 'function'))
  ) {
    throw new InvalidOptionError('positions', 'an object with record(offset, start) and passed(end) methods', positions);
  }
  return records(input, from, maxRecordBytes, positions);
}

async function* records(input: Readable, from: number, max: number, positions: NdjsonPositions | undefined): AsyncGenerator<SourceRecord> {
  const skipped = positions?.skipped === undefined ? undefined : positions.skipped.bind(positions);
  for await (const line of ndjsonLines(input, max, from, skipped)) {
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
