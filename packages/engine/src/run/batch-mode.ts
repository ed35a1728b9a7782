import { Deque } from '../buffers/deque.js';
import { OrderedRelease } from '../buffers/release-queue.js';
import type { ReleaseQueue } from '../buffers/release-queue.js';
import type { MessageState } from './message-state.js';
import type { ReadingRule } from './reading-rule.js';

/**
 * Batch mode, the baseline: read `size` messages (or until the source ends
 * or goes idle), process them, and let them leave only when every one of
 * them has settled, in read order; only then read the next batch.
 *
 * Its reading rule: a batch is read while nothing of the previous one is in
 * flight. Its release rule: nothing leaves until the batch is sealed (all of
 * it read) and all of it settled. Sealed batches queue: one read while the
 * previous is still in flight (only the item a stop takes from the reader,
 * see `SourceReader`) leaves after it.
 */
export class BatchMode implements ReleaseQueue, ReadingRule {
  readonly #size: number;
  readonly #ordered = new OrderedRelease();
  /** Settled messages by batch number. */
  readonly #settled = new Map<number, number>();
  /** Lengths of the sealed batches not yet gone, oldest first. */
  readonly #sealed = new Deque<number>();
  /** The batch number of the oldest sealed batch. */
  #head = 0;
  #released = 0;
  /** Messages read into the batch being read, and its number. */
  #reading = 0;
  #number = 0;

  constructor(size: number) {
    this.#size = size;
  }

  mayRead(inFlight: number): boolean {
    if (this.#sealed.size > 0) return false;
    return this.#reading > 0 || inFlight === 0;
  }

  read(): number {
    this.#reading++;
    return this.#number;
  }

  get full(): boolean {
    return this.#reading >= this.#size;
  }

  seal(): boolean {
    if (this.#reading === 0) return false;
    this.#sealed.push(this.#reading);
    this.#reading = 0;
    this.#number++;
    return true;
  }

  add(state: MessageState): void {
    this.#ordered.add(state);
    this.#settled.set(state.batch, (this.#settled.get(state.batch) ?? 0) + 1);
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
