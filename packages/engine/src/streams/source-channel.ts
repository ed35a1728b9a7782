/**
 * A one-slot hand-off from a stream's writable side to the engine's source
 * iterator, as an unbuffered Go channel: `put()` resolves once the engine
 * took the item, so a writer that waits for it never runs ahead of the
 * engine's reading, and the engine reads only when its buffers have room.
 *
 *   writer ── put(item) ──▶ [ slot ] ──▶ next() ── engine's source reader
 *          ◀── true once taken; false if the reader went away first
 *
 * Uses no Node built-ins: it is bundled for browsers with the WHATWG adapter.
 */
export class SourceChannel<T> implements AsyncIterableIterator<T, undefined> {
  /** The item put and not yet taken, with the resolver of its `put()`. */
  #slot: { readonly item: T; readonly taken: (taken: boolean) => void } | undefined;
  /** The reader's pending `next()`, while the slot is empty. */
  #reader: ((result: IteratorResult<T, undefined>) => void) | undefined;
  /** The writer ended: `next()` is done once the slot is empty. */
  #ended = false;
  /** The reader went away (or the run ended): nothing more is taken. */
  #closed = false;

  /**
   * Offer `item` to the reader. Resolves true once it took the item, false
   * if the channel closed first. One put at a time, none after `end()`.
   */
  put(item: T): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#slot !== undefined || this.#ended) return Promise.reject(new Error('SourceChannel: one put at a time, and none after end()'));
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      reader({ done: false, value: item });
      return Promise.resolve(true);
    }
    return new Promise((taken) => {
      this.#slot = { item, taken };
    });
  }

  /** The writer has no more items: the reader gets the one in the slot, then the end. */
  end(): void {
    this.#ended = true;
    if (this.#slot === undefined) this.#answerReader();
  }

  /** Take nothing more: a pending `put()` resolves false, the reader gets the end. */
  close(): void {
    this.#closed = true;
    const slot = this.#slot;
    this.#slot = undefined;
    slot?.taken(false);
    this.#answerReader();
  }

  next(): Promise<IteratorResult<T, undefined>> {
    const slot = this.#slot;
    if (slot !== undefined) {
      this.#slot = undefined;
      slot.taken(true);
      return Promise.resolve({ done: false, value: slot.item });
    }
    if (this.#ended || this.#closed) return Promise.resolve({ done: true, value: undefined });
    if (this.#reader !== undefined) return Promise.reject(new Error('SourceChannel: one next() at a time'));
    return new Promise((resolve) => {
      this.#reader = resolve;
    });
  }

  /** The reader went away (the engine stopped reading). */
  return(): Promise<IteratorResult<T, undefined>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #answerReader(): void {
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.({ done: true, value: undefined });
  }
}
