import type { MessageState } from './message-state.js';

/**
 * Where settled messages wait to be handed to the consumer, and the order in
 * which they leave. Each `process()` run has one, chosen by mode and ordering.
 */
export interface ReleaseQueue {
  /** A message settled (completed, or failed for good). */
  add(state: MessageState): void;
  /** The next message to hand over, if one may leave now. */
  take(): MessageState | undefined;
  /** Messages waiting here. */
  readonly size: number;
}

/** Async unordered: first settled, first out. */
export class UnorderedRelease implements ReleaseQueue {
  #items: (MessageState | undefined)[] = [];
  #head = 0;

  add(state: MessageState): void {
    this.#items.push(state);
  }

  take(): MessageState | undefined {
    if (this.#head === this.#items.length) return undefined;
    const state = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    // Reset once drained so the array does not grow without bound.
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return state;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }
}

/**
 * Async ordered: in read order. A settled message waits until every message
 * read before it has left (Flink's ordered `AsyncWaitOperator` queue).
 */
export class OrderedRelease implements ReleaseQueue {
  readonly #waiting = new Map<number, MessageState>();
  #next = 0;

  add(state: MessageState): void {
    this.#waiting.set(state.seq, state);
  }

  take(): MessageState | undefined {
    const state = this.#waiting.get(this.#next);
    if (state === undefined) return undefined;
    this.#waiting.delete(this.#next);
    this.#next++;
    return state;
  }

  get size(): number {
    return this.#waiting.size;
  }
}

/**
 * Batch mode: nothing leaves until every message of the batch has settled
 * and the batch is sealed (all of it read); then the batch leaves in read order.
 */
export class BatchRelease implements ReleaseQueue {
  readonly #ordered = new OrderedRelease();
  #settled = 0;
  #sealed = -1;
  #released = 0;

  add(state: MessageState): void {
    this.#ordered.add(state);
    this.#settled++;
  }

  /** The batch being read is complete at `length` messages. */
  seal(length: number): void {
    this.#sealed = length;
  }

  /** Whether the batch being read was sealed and has not left yet. */
  get sealed(): boolean {
    return this.#sealed >= 0;
  }

  take(): MessageState | undefined {
    if (this.#sealed < 0 || this.#settled < this.#sealed) return undefined;
    const state = this.#ordered.take();
    if (state !== undefined && ++this.#released === this.#sealed) {
      this.#settled -= this.#sealed;
      this.#released = 0;
      this.#sealed = -1;
    }
    return state;
  }

  get size(): number {
    return this.#ordered.size;
  }
}
