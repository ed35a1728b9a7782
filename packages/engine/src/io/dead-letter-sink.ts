import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { WriteStream } from 'node:fs';
import type { FailedRecord } from '../message.js';
import type { MessageTrace } from '../run/message-state.js';
import { FlushTracker } from './flush-tracker.js';
import { drained } from './drained.js';
import { deadLetterLine, failedRecordData } from './ndjson-record.js';

/**
 * Writes failed records to a file of their own, one NDJSON line each:
 * `{ offset, line?, key, eventTime, late?, attempts, error: { name, code,
 * message, errorName?, errorCode? }, input }` (`line` for a malformed or
 * oversized input line), and messages a buffer's overflow policy dropped:
 * `{ offset, key, eventTime, dropped: { buffer, policy } }`. Waits for
 * `drain` when the file is behind, so that a slow disk holds the engine back
 * like a slow output does.
 */
export class DeadLetterSink {
  /** The file's path, as given. */
  readonly path: string;
  readonly #out: WriteStream;
  readonly #flushes = new FlushTracker();
  #error: Error | undefined;
  #lowestRefused = Number.POSITIVE_INFINITY;
  #written = 0;
  #dropped = 0;
  #ending: Promise<void> | undefined;

  private constructor(path: string, out: WriteStream) {
    this.path = path;
    this.#out = out;
    // Kept, not thrown from an event: the next write fails with it.
    out.on('error', (error: Error) => {
      this.#error ??= error;
      this.#flushes.fail(error);
    });
  }

  /**
   * Create (or truncate) the file, or with `append` add to its end (a resumed
   * run). Rejects at once on a missing folder or no permission, so that a bad
   * path fails before the run starts.
   */
  static async open(path: string, options: { append?: boolean } = {}): Promise<DeadLetterSink> {
    const out = createWriteStream(path, { flags: options.append === true ? 'a' : 'w' });
    await once(out, 'open');
    return new DeadLetterSink(path, out);
  }

  /** Failed records written so far. */
  get written(): number {
    return this.#written;
  }

  /** Write one failed record; rejects (or throws) once the file has failed. */
  write(record: FailedRecord): Promise<void> | undefined {
    if (this.#error !== undefined) {
      this.#lowestRefused = Math.min(this.#lowestRefused, record.offset);
      throw this.#error;
    }
    this.#written++;
    const line = deadLetterLine(record);
    const text = typeof line === 'string' ? line : JSON.stringify(failedRecordData(line));
    if (this.#flushes.write(this.#out, `${text}\n`, record.offset)) return undefined;
    return drained(this.#out);
  }

  /**
   * Note a message dropped by an overflow policy (from the engine's `ack`
   * event, which cannot wait: the line is buffered like any other).
   */
  dropped(trace: MessageTrace): void {
    if (trace.overflow === undefined) return;
    if (this.#error !== undefined) {
      this.#lowestRefused = Math.min(this.#lowestRefused, trace.offset);
      return;
    }
    this.#dropped++;
    const { offset, key, eventTime, overflow } = trace;
    this.#flushes.write(this.#out, `${JSON.stringify({ offset, key, eventTime, dropped: overflow })}\n`, offset);
  }

  /** Resolves once every line written so far has reached the operating system; rejects once the file has failed. */
  flushed(): Promise<void> {
    return this.#flushes.flushed();
  }

  /** The lowest offset of the lines given that have not reached the operating system (refused or failed once the file failed, or still buffered); Infinity when none. */
  get lowestUnwritten(): number {
    return Math.min(this.#lowestRefused, this.#flushes.lowestUnwritten());
  }

  /** Lines (failed records and dropped messages) that reached the operating system. */
  get linesWritten(): number {
    return this.#flushes.succeeded;
  }

  /** Dropped messages noted so far. */
  get droppedCount(): number {
    return this.#dropped;
  }

  /** Finish the file and wait until it is flushed; rejects once it has failed. Idempotent. */
  end(): Promise<void> {
    this.#ending ??= this.#end();
    return this.#ending;
  }

  async #end(): Promise<void> {
    if (this.#error !== undefined) throw this.#error;
    if (!this.#out.writableEnded && !this.#out.destroyed) this.#out.end();
    await finished(this.#out, { readable: false });
    await this.flushed();
  }
}
