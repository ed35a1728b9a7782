import type { Writable } from 'node:stream';

/** A `flushed()` call waiting for the writes counted before it (`at`). */
interface Waiter {
  readonly at: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Tells when every write to a stream so far has reached the operating
 * system: a write's callback runs once its bytes are handed to the file or
 * pipe, and the callbacks run in write order. A process killed after that
 * loses nothing of those bytes (a machine that crashes may: nothing is
 * synced to disk). One callback serves every write, so counting allocates
 * nothing per line.
 */
export class FlushTracker {
  #issued = 0;
  #done = 0;
  #error: Error | undefined;
  readonly #waiters: Waiter[] = [];

  /** Write `chunk` to `out`, counting it; returns what `out.write` does (false: wait for `drain`). */
  write(out: Writable, chunk: string): boolean {
    this.#issued++;
    return out.write(chunk, this.#written);
  }

  /** Resolves once every write counted so far has finished; rejects with the first write error. */
  flushed(): Promise<void> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#done >= this.#issued) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ at: this.#issued, resolve, reject }));
  }

  /** The stream failed (its `error` event): waiting for its writes fails too. */
  fail(error: Error): void {
    this.#error ??= error;
    this.#settle();
  }

  readonly #written = (error?: Error | null): void => {
    this.#done++;
    if (error) this.#error ??= error;
    this.#settle();
  };

  #settle(): void {
    while (this.#waiters.length > 0) {
      const waiter = this.#waiters[0] as Waiter;
      if (this.#error !== undefined) waiter.reject(this.#error);
      else if (waiter.at <= this.#done) waiter.resolve();
      else break;
      this.#waiters.shift();
    }
  }
}
