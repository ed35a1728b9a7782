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

/**
 * Batch mode: nothing leaves until every message of the batch has settled
 * and the batch is sealed (all of it read); then the batch leaves in read
 * order. Sealed batches queue: one read while the previous is still in
 * flight (only the item a stop takes from the reader, see `SourceReader`)
 * leaves after it.
 */
export class BatchRelease implements ReleaseQueue {
  readonly #ordered = new OrderedRelease();
  /** Settled messages by batch number. */
  readonly #settled = new Map<number, number>();
  /** Lengths of the sealed batches not yet gone, oldest first. */
  readonly #sealed = new Deque<number>();
  /** The batch number of the oldest sealed batch. */
  #head = 0;
  #released = 0;

  add(state: MessageState): void {
    this.#ordered.add(state);
    this.#settled.set(state.batch, (this.#settled.get(state.batch) ?? 0) + 1);
  }

  /** The batch being read is complete at `length` messages. */
  seal(length: number): void {
    this.#sealed.push(length);
  }

  /** Whether a sealed batch has not left yet. */
  get sealed(): boolean {
    return this.#sealed.size > 0;
  }

  take(): MessageState | undefined {
    const length = this.#sealed.peek();
    if (length === undefined || (this.#settled.get(this.#head) ?? 0) < length) return undefined;
    const state = this.#ordered.take();
    if (state !== undefined && ++this.#released === length) {
      this.#settled.delete(this.#head);
      this.#sealed.shift();
      this.#head++;
      this.#released = 0;
    }
    return state;
  }

  get size(): number {
    return this.#ordered.size;
  }

  // Batch mode buffers only block (the options forbid dropping): a batch
  // leaves whole or not at all.
  skip(): void {
    throw new Error('batch mode does not drop messages');
  }

  removeOldest(): MessageState | undefined {
    throw new Error('batch mode does not drop messages');
  }

  needs(): boolean {
    return true;
  }
}
