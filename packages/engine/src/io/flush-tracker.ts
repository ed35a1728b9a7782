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
 * nothing per line. A write may carry the offset of the record it holds:
 * the tracker then says which records did not get through
 * ({@link lowestUnwritten}), keeping the offsets of the writes not yet
 * finished only.
 */
export class FlushTracker {
  #issued = 0;
  #done = 0;
  #succeeded = 0;
  #error: Error | undefined;
  readonly #waiters: Waiter[] = [];
  /** The offsets of the writes not finished yet, from #head on, in write order (Infinity for a write without one). */
  #pending: number[] = [];
  #head = 0;
  #lowestFailed = Number.POSITIVE_INFINITY;

  /** Write `chunk` to `out`, counting it; returns what `out.write` does (false: wait for `drain`). */
  write(out: Writable, chunk: string, offset = Number.POSITIVE_INFINITY): boolean {
    this.#issued++;
    this.#pending.push(offset);
    return out.write(chunk, this.#written);
  }

  /** Writes that reached the operating system. */
  get succeeded(): number {
    return this.#succeeded;
  }

  /** The lowest offset of the writes that failed or have not finished yet; Infinity when there is none. */
  lowestUnwritten(): number {
    let lowest = this.#lowestFailed;
    for (let at = this.#head; at < this.#pending.length; at++) lowest = Math.min(lowest, this.#pending[at] as number);
    return lowest;
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
    const offset = this.#pending[this.#head++] ?? Number.POSITIVE_INFINITY;
    if (this.#head === this.#pending.length) {
      this.#pending.length = 0; // kept: its storage serves the next writes
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
    if (error) {
      this.#error ??= error;
      this.#lowestFailed = Math.min(this.#lowestFailed, offset);
    } else {
      this.#succeeded++;
    }
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
