import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { MalformedInputError, RecordTooLargeError } from '../errors.js';
import type { TidemarkError, TransformError } from '../errors.js';
import type { EngineRecord, FailedRecord } from '../message.js';
import { FlushTracker } from './flush-tracker.js';

/**
 * Writes records as NDJSON, one per line, waiting for `drain` when the
 * stream is full so that a slow output holds the engine back. It keeps
 * count of what got through: {@link written}, and {@link lowestUnwritten}
 * for where a rerun must start once the stream failed (such as a pipe whose
 * reader left: `EPIPE`).
 */
export class NdjsonSink {
  readonly #out: Writable;
  readonly #flushes = new FlushTracker();
  #error: Error | undefined;
  #lowestRefused = Number.POSITIVE_INFINITY;

  constructor(out: Writable) {
    this.#out = out;
    // Kept, not thrown from an event: the next write fails with it.
    out.on('error', (error: Error) => {
      this.#error ??= error;
      this.#flushes.fail(error);
    });
  }

  /** Write one engine record; rejects (or throws) once the stream has failed. */
  write(record: EngineRecord): Promise<void> | undefined {
    if (this.#error !== undefined) {
      this.#lowestRefused = Math.min(this.#lowestRefused, record.offset);
      throw this.#error;
    }
    const line = record.kind === 'output' ? record : { kind: 'failed', ...failedRecordData(record) };
    return this.#line(JSON.stringify(line), record.offset);
  }

  /** Records that reached the operating system (handed to the file or pipe). */
  get written(): number {
    return this.#flushes.succeeded;
  }

  /**
   * The lowest offset of the records given to {@link write} that have not
   * reached the operating system: refused or failed once the stream failed,
   * or still buffered. Infinity when every one has. With offsets that are
   * line indexes, a rerun from the lower of this and the engine's committed
   * offset loses no record.
   */
  get lowestUnwritten(): number {
    return Math.min(this.#lowestRefused, this.#flushes.lowestUnwritten());
  }

  /** Resolves once every record written so far has reached the operating system; rejects once the stream has failed. */
  flushed(): Promise<void> {
    return this.#flushes.flushed();
  }

  /** Finish the stream (stdout stays open) and wait until it is flushed. */
  async end(): Promise<void> {
    if (this.#error !== undefined) throw this.#error;
    if (this.#out === process.stdout) return this.flushed();
    this.#out.end();
    await once(this.#out, 'finish');
  }

  #line(text: string, offset: number): Promise<void> | undefined {
    if (this.#flushes.write(this.#out, `${text}\n`, offset)) return undefined;
    return once(this.#out, 'drain').then(() => {});
  }
}

/**
 * A failed record as plain JSON data: `{ offset, line?, key, eventTime, late?,
 * attempts, error: { name, code, message, errorName?, errorCode? }, input }`,
 * `line` being the 1-based line of a malformed input line.
 */
export function failedRecordData(record: FailedRecord): Record<string, unknown> {
  return {
    offset: record.offset,
    ...(record.error instanceof MalformedInputError || record.error instanceof RecordTooLargeError ? { line: record.error.line } : {}),
    key: record.key,
    eventTime: record.eventTime,
    ...(record.late === true ? { late: true } : {}),
    attempts: record.attempts,
    error: errorData(record.error),
    input: record.input,
  };
}

function errorData(error: TidemarkError): Record<string, unknown> {
  const remote = error as Partial<TransformError>;
  return {
    name: error.name,
    code: error.code,
    message: error.message,
    ...(remote.errorName === undefined ? {} : { errorName: remote.errorName, errorCode: remote.errorCode }),
  };
}
