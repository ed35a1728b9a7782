import { Duplex } from 'node:stream';
import type { SourceRecord } from '../message.js';
import { StreamRun } from './stream-run.js';
import type { ProcessFunction, StreamOptions } from './stream-run.js';

/**
 * A Node object-mode Duplex over a run, for
 * `stream.pipeline(src, duplex, dst)`: source records are written to it,
 * the run's records are read from it.
 *
 * Written by hand rather than with `Duplex.from(async function* (source))`:
 * on Node 20.20 that duplex, destroyed while its generator waits for the
 * next write, never aborts the generator's signal and never emits `close`
 * or `error`, so a source stream's error would hang the pipeline.
 * (`Readable.from`'s `_destroy` replaces the one that aborts, and waits for
 * the generator's `return()`, which waits for a write that never comes; a
 * fix of the neighbouring nodejs/node#55077, #55096, was reverted.)
 *
 * Backpressure: both sides have a high-water mark of 1. A write completes
 * only once the engine took the item; a record is pulled from the run only
 * while the readable side has room. Errors: a run error destroys the
 * duplex with it; destroying it (a pipeline does on a source's error) ends
 * the run, and `close` comes once the engine may run again.
 */
class EngineDuplex<T> extends Duplex {
  readonly #run: StreamRun<T>;
  /** Whether a pull loop is under way. */
  #pulling = false;

  constructor(process: ProcessFunction<T>, options: StreamOptions) {
    super({ objectMode: true, highWaterMark: 1 });
    this.#run = new StreamRun(process, options);
  }

  override _write(item: SourceRecord, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#run.write(item).then(
      () => {
        if (!this.destroyed) callback();
      },
      (error: unknown) => this.#refused(error),
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#run.end();
    callback();
  }

  override _read(): void {
    if (!this.#pulling) void this.#pull();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#run.teardown(error ?? undefined).then(
      () => callback(error),
      () => callback(error),
    );
  }

  /** Push records while the readable side has room. */
  async #pull(): Promise<void> {
    this.#pulling = true;
    try {
      for (;;) {
        const result = await this.#run.next();
        if (this.destroyed) return;
        if (result.done === true) {
          this.push(null);
          return;
        }
        if (!this.push(result.value)) return;
      }
    } catch (error) {
      this.destroy(error as Error);
    } finally {
      this.#pulling = false;
    }
  }

  /**
   * The run stopped reading before the source ended (an abort, `close()`):
   * what it read still goes out on the readable side, then the duplex fails
   * with why, since a Node duplex cannot fail its writable side alone. A
   * run error has destroyed it already.
   */
  #refused(error: unknown): void {
    if (this.destroyed) return;
    if (this.readableEnded) this.destroy(error as Error);
    else this.once('end', () => this.destroy(error as Error));
  }
}

/**
 * The Node adapter of a `process` function (`engine.process`, or a remote
 * engine's): an object-mode `Duplex` for `stream.pipeline()`. See
 * {@link EngineDuplex} for its backpressure and errors. The run starts at
 * the first read.
 */
export function toDuplex<T = unknown>(process: ProcessFunction<T>, options: StreamOptions = {}): Duplex {
  return new EngineDuplex(process, options);
}
