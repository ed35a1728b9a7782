import { Deque } from '../buffers/deque.js';

/**
 * A bounded queue of records on their way to the pipeline's consumer from
 * somewhere other than the last stage (a failed record of an earlier
 * stage, a branch's failure). A producer awaits room, so a consumer that
 * stops taking records holds every stage back, as the last stage's output
 * buffer does.
 *
 *   producers ── push() (waits while full) ──▶ [ queue ] ──▶ shift() ── consumer
 */
export class Outbox<T> {
  readonly #queue = new Deque<T>();
  readonly #capacity: number;
  readonly #arrived: () => void;
  /** Producers waiting for room, first come first served. */
  readonly #waiting = new Deque<() => void>();
  #closed = false;

  /** `arrived`: called after each push (the consumer's wake-up). */
  constructor(capacity: number, arrived: () => void) {
    this.#capacity = capacity;
    this.#arrived = arrived;
  }

  get size(): number {
    return this.#queue.size;
  }

  /** Queue `item` once there is room; false (and nothing queued) once the outbox is closed. */
  async push(item: T): Promise<boolean> {
    while (!this.#closed && this.#queue.size >= this.#capacity) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    if (this.#closed) return false;
    this.#queue.push(item);
    this.#arrived();
    return true;
  }

  shift(): T | undefined {
    const item = this.#queue.shift();
    if (item !== undefined) this.#waiting.shift()?.();
    return item;
  }

  /** The consumer went away: every waiting and later push gives up. */
  close(): void {
    this.#closed = true;
    for (let wake = this.#waiting.shift(); wake !== undefined; wake = this.#waiting.shift()) wake();
  }
}
