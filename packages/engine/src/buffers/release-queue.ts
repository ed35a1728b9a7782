import { Deque } from './deque.js';
import type { MessageState } from '../run/message-state.js';

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
  /** Message `seq` will never be added (it was dropped): do not wait for it. */
  skip(seq: number): void;
  /** Remove and return the message that has waited here longest (`drop-oldest`). */
  removeOldest(): MessageState | undefined;
  /**
   * Whether nothing more can leave until `state` settles: such a message is
   * never held back by a full output buffer, which only the consumer can
   * empty (it would wait forever).
   */
  needs(state: MessageState): boolean;
}

/** Async unordered: first settled, first out. */
export class UnorderedRelease implements ReleaseQueue {
  readonly #items = new Deque<MessageState>();

  add(state: MessageState): void {
    this.#items.push(state);
  }

  take(): MessageState | undefined {
    return this.#items.shift();
  }

  get size(): number {
    return this.#items.size;
  }

  skip(): void {}

  removeOldest(): MessageState | undefined {
    return this.#items.shift();
  }

  needs(): boolean {
    return false;
  }
}

/**
 * Async ordered: in read order. A settled message waits until every message
 * read before it has left (Flink's ordered `AsyncWaitOperator` queue).
 */
export class OrderedRelease implements ReleaseQueue {
  /** Settled messages by seq, in the order they settled. */
  readonly #waiting = new Map<number, MessageState>();
  /** Dropped seqs not yet reached: skipped when their turn comes. */
  readonly #skipped = new Set<number>();
  #next = 0;

  add(state: MessageState): void {
    this.#waiting.set(state.seq, state);
  }

  take(): MessageState | undefined {
    this.#passSkipped();
    const state = this.#waiting.get(this.#next);
    if (state === undefined) return undefined;
    this.#waiting.delete(this.#next);
    this.#next++;
    return state;
  }

  get size(): number {
    return this.#waiting.size;
  }

  skip(seq: number): void {
    if (seq >= this.#next) this.#skipped.add(seq);
  }

  removeOldest(): MessageState | undefined {
    for (const [seq, state] of this.#waiting) {
      this.#waiting.delete(seq);
      this.skip(seq);
      return state;
    }
    return undefined;
  }

  needs(state: MessageState): boolean {
    this.#passSkipped();
    return state.seq === this.#next;
  }

  #passSkipped(): void {
    while (this.#skipped.delete(this.#next)) this.#next++;
  }
}
