import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { TidemarkError, TransformError } from '../errors.js';
import type { EngineRecord } from '../message.js';
import type { MalformedLine } from './ndjson-source.js';

/**
 * Writes records as NDJSON, one per line, waiting for `drain` when the
 * stream is full so that a slow output holds the engine back.
 */
export class NdjsonSink {
  readonly #out: Writable;

  constructor(out: Writable) {
    this.#out = out;
  }

  /** Write one engine record. */
  write(record: EngineRecord): Promise<void> | undefined {
    const line =
      record.kind === 'output'
        ? record
        : {
            kind: 'failed',
            offset: record.offset,
            key: record.key,
            eventTime: record.eventTime,
            ...(record.late === true ? { late: true } : {}),
            attempts: record.attempts,
            error: errorData(record.error),
            input: record.input,
          };
    return this.#line(JSON.stringify(line));
  }

  /** Write a failed record for a line that could not be read. */
  malformed(line: MalformedLine): Promise<void> | undefined {
    return this.#line(
      JSON.stringify({
        kind: 'failed',
        offset: line.error.line - 1,
        line: line.error.line,
        attempts: 0,
        error: errorData(line.error),
        input: line.text,
      }),
    );
  }

  /** Finish the stream (unless it is stdout) and wait until it is flushed. */
  async end(): Promise<void> {
    if (this.#out === process.stdout) return;
    this.#out.end();
    await once(this.#out, 'finish');
  }

  #line(text: string): Promise<void> | undefined {
    if (this.#out.write(`${text}\n`)) return undefined;
    return once(this.#out, 'drain').then(() => {});
  }
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
