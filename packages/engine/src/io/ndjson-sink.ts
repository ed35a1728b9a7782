import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { InvalidOptionError } from '../errors.js';
import type { EngineRecord, FailedRecord } from '../message.js';
import { drained, prematureClose } from './drained.js';
import { FlushTracker } from './flush-tracker.js';
import { failedRecordData, recordLine } from './ndjson-record.js';

/** Options of an {@link NdjsonSink}. */
export interface NdjsonSinkOptions {
  /**
   * Where the failed record the sink makes for a record JSON cannot encode
   * goes, instead of into the stream in the record's place (as
   * `tidemark run --dead-letter` sends it to that file). What it returns is
   * returned by {@link NdjsonSink.write}: a promise is awaited like a write.
   */
  deadLetter?: (record: FailedRecord) => Promise<void> | void;
}

/**
 * Writes records as NDJSON, one per line, waiting for `drain` when the
 * stream is full so that a slow output holds the engine back. It keeps
 * count of what got through: {@link written}, and {@link lowestUnwritten}
 * for where a rerun must start once the stream failed (such as a pipe whose
 * reader left: `EPIPE`).
 *
 * Each record is written as `JSON.stringify` writes it: a Map or a Set as
 * `{}`, an `undefined` value left out (the line has no `value`), `NaN` as
 * `null`, a Date as its ISO string, an object's own `toJSON()` used. A
 * record JSON cannot encode (a BigInt, a circular reference: structured
 * clone carries both from the worker) is written as a failed record in its
 * place, `{ kind: 'failed', offset, key, eventTime, attempts: 0, error }`
 * with an `UnwritableOutputError` (`ERR_TIDEMARK_UNWRITABLE_OUTPUT`) whose
 * message says why and shows the value, or handed to `deadLetter`; it is
 * counted in {@link unwritable}, and writing goes on.
 *
 * @example
 * const sink = new NdjsonSink(createWriteStream('out.ndjson'));
 * for await (const record of engine.process(source)) await sink.write(record);
 * await sink.end();
 */
export class NdjsonSink {
  readonly #out: Writable;
  readonly #deadLetter: NdjsonSinkOptions['deadLetter'];
  readonly #flushes = new FlushTracker();
  #error: Error | undefined;
  #lowestRefused = Number.POSITIVE_INFINITY;
  #unwritable = 0;
  #ending: Promise<void> | undefined;

  constructor(out: Writable, options: NdjsonSinkOptions = {}) {
    if (typeof (out as Partial<Writable> | null)?.write !== 'function' || typeof out.on !== 'function') {
      throw new InvalidOptionError('out', 'a writable stream', out);
    }
    if (options.deadLetter !== undefined && typeof options.deadLetter !== 'function') {
      throw new InvalidOptionError('deadLetter', 'a function taking a failed record', options.deadLetter);
    }
    this.#out = out;
    this.#deadLetter = options.deadLetter;
    // Kept, not thrown from an event: the next write fails with it.
    out.on('error', (error: Error) => this.#failed(error));
  }

  /**
   * Write one engine record. Throws once the stream has failed (its error)
   * or after {@link end} (`ERR_STREAM_WRITE_AFTER_END`); the promise, when
   * the stream is full, resolves at `drain` and rejects if the stream fails
   * or is destroyed first.
   */
  write(record: EngineRecord): Promise<void> | undefined {
    if (this.#ending !== undefined || this.#out.writableEnded) throw writeAfterEnd(this.#ending !== undefined);
    if (this.#error === undefined && this.#out.destroyed) this.#failed(this.#out.errored ?? prematureClose());
    if (this.#error !== undefined) {
      this.#lowestRefused = Math.min(this.#lowestRefused, record.offset);
      throw this.#error;
    }
    const line = recordLine(record);
    if (typeof line === 'string') return this.#line(line, record.offset);
    this.#unwritable++;
    if (this.#deadLetter !== undefined) return this.#deadLetter(line) ?? undefined;
    return this.#line(JSON.stringify({ kind: 'failed', ...failedRecordData(line) }), record.offset);
  }

  /** Records that reached the operating system (handed to the file or pipe). */
  get written(): number {
    return this.#flushes.succeeded;
  }

  /** Records JSON could not encode, written as failed records in their place (or handed to `deadLetter`). */
  get unwritable(): number {
    return this.#unwritable;
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

  /**
   * Finish the stream and wait until it has finished (stdout and stderr stay
   * open: until what was written is flushed). Idempotent: every call returns
   * the same promise. Resolves on a stream already finished; rejects on one
   * that failed (its error) or was destroyed before it finished
   * (`ERR_STREAM_PREMATURE_CLOSE`).
   */
  end(): Promise<void> {
    this.#ending ??= this.#end();
    return this.#ending;
  }

  async #end(): Promise<void> {
    const out = this.#out;
    if (this.#error !== undefined) throw this.#error;
    if (out === process.stdout || out === process.stderr) return this.flushed();
    if (!out.writableEnded && !out.destroyed) out.end();
    await finished(out, { readable: false });
    await this.flushed();
  }

  #failed(error: Error): void {
    this.#error ??= error;
    this.#flushes.fail(error);
  }

  #line(text: string, offset: number): Promise<void> | undefined {
    if (this.#flushes.write(this.#out, `${text}\n`, offset)) return undefined;
    return drained(this.#out);
  }
}

function writeAfterEnd(bySink: boolean): Error {
  const why = bySink ? 'the sink was ended' : 'the stream is ended';
  return Object.assign(new Error(`NdjsonSink: write() after end(): ${why}`), { code: 'ERR_STREAM_WRITE_AFTER_END' });
}

