import { TidemarkError } from '../errors.js';
import type { SourceRecord } from '../message.js';

type Item = SourceRecord;

/**
 * The far side of a host-side source: the batches the host's `feed` calls
 * bring, read by the engine as a chunked source (each batch an array, read
 * at once). A feed is answered once fewer than `limit` items wait, so the
 * inbox holds at most `limit` items plus one batch. While `open()` says no
 * (the host has not yet taken the ack traces it asked for), nothing is read.
 */
export class Inbox implements AsyncIterableIterator<readonly Item[]> {
  readonly #limit: number;
  #open: () => boolean = () => true;
  #batches: (readonly Item[])[] = [];
  #size = 0;
  #ended = false;
  #error: Error | undefined;
  /** The engine waits for a batch (or for the gate). */
  #wake: (() => void) | undefined;
  /** The host's feed waits for room. */
  #room: (() => void) | undefined;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Read only while `open()` says so. */
  gate(open: () => boolean): void {
    this.#open = open;
  }

  /** Items waiting to be read. */
  get size(): number {
    return this.#size;
  }

  /**
   * Add a batch; resolves when there is room for more. `end` ends the source,
   * failing it with `error` when given. One feed at a time: a feed while
   * another waits for room is refused, its items not taken.
   */
  feed(items: readonly Item[], end?: { error?: Error }): Promise<void> {
    if (this.#room !== undefined) {
      return Promise.reject(new TidemarkError('a feed is already waiting for room on this run: a host sends its next feed once the last one is answered'));
    }
    if (this.#ended) return Promise.resolve();
    if (items.length > 0) {
      this.#batches.push(items);
      this.#size += items.length;
    }
    if (end !== undefined) {
      this.#ended = true;
      this.#error = end.error;
    }
    this.poke();
    if (this.#size < this.#limit || this.#ended) return Promise.resolve();
    return new Promise((resolve) => {
      this.#room = resolve;
    });
  }

  async next(): Promise<IteratorResult<readonly Item[]>> {
    for (;;) {
      if (this.#batches.length > 0 && this.#open()) {
        const batch = this.#batches.shift() as readonly Item[];
        this.#size -= batch.length;
        if (this.#size < this.#limit) this.#release();
        return { value: batch, done: false };
      }
      if (this.#batches.length === 0 && this.#ended) {
        if (this.#error !== undefined) throw this.#error;
        return { value: undefined, done: true };
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** The engine stopped reading (abort, or the run ended): drop what waits and let the host's feed go on. */
  return(): Promise<IteratorResult<readonly Item[]>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** End the source with nothing more read, and release a waiting feed and a waiting read. */
  close(): void {
    this.#ended = true;
    this.#error = undefined;
    this.#batches = [];
    this.#size = 0;
    this.poke();
    this.#release();
  }

  /** A batch arrived, the source ended or the gate may have opened: let a waiting read look again. */
  poke(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #release(): void {
    const room = this.#room;
    this.#room = undefined;
    room?.();
  }
}
