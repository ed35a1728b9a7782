import type { Source } from '../source/source-reader.js';

/**
 * A source read only while `open()` says so: the far side stops reading
 * while the host has not yet taken the ack traces it asked for, so that
 * queue stays bounded even when a drop policy acks messages nobody takes.
 */
export class GatedSource<T> implements AsyncIterableIterator<T> {
  readonly #inner: Iterator<T> | AsyncIterator<T>;
  readonly #open: () => boolean;
  #waiting: (() => void) | undefined;
  #returned = false;

  constructor(source: Source<T>, open: () => boolean) {
    this.#inner = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
    this.#open = open;
  }

  /** The gate may have opened: let a waiting read go on. */
  poke(): void {
    if (this.#waiting !== undefined && this.#open()) this.#let();
  }

  async next(): Promise<IteratorResult<T>> {
    if (!this.#open()) {
      await new Promise<void>((resolve) => {
        this.#waiting = resolve;
      });
      if (this.#returned) return { value: undefined, done: true };
    }
    return await this.#inner.next();
  }

  async return(): Promise<IteratorResult<T>> {
    this.#returned = true;
    this.#let();
    await this.#inner.return?.();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #let(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }
}
