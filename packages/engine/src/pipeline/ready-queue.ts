import { Deque } from '../buffers/deque.js';
import { Wakeup } from '../run/wakeup.js';

/**
 * The messages of a parallel stage whose branches are all in, waiting for
 * the join engine to read them, in the order they became ready. Pushing
 * never waits: what bounds the queue is the stage's `maxPending` (a message
 * counts from when it is sent to the branches until the join took it).
 * `end(error)` makes the reader fail after the last item, as a source error
 * does in an engine.
 */
export class ReadyQueue<T> implements AsyncIterableIterator<T, undefined> {
  readonly #items = new Deque<T>();
  readonly #wakeup = new Wakeup();
  #ended = false;
  #error: { readonly error: unknown } | undefined;
  #closed = false;

  get size(): number {
    return this.#items.size;
  }

  /** Whether the reader went away. */
  get closed(): boolean {
    return this.#closed;
  }

  push(item: T): void {
    if (this.#closed) return;
    this.#items.push(item);
    this.#wakeup.notify();
  }

  /** Nothing more will be pushed; with `error`, the reader gets it after the last item. */
  end(error?: { readonly error: unknown }): void {
    this.#ended = true;
    this.#error ??= error;
    this.#wakeup.notify();
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      if (this.#closed) return { done: true, value: undefined };
      const item = this.#items.shift();
      if (item !== undefined) return { done: false, value: item };
      if (this.#ended) {
        if (this.#error !== undefined) throw this.#error.error;
        return { done: true, value: undefined };
      }
      await this.#wakeup.wait();
    }
  }

  /** The join engine stopped reading. */
  return(): Promise<IteratorResult<T, undefined>> {
    this.#closed = true;
    this.#wakeup.notify();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
