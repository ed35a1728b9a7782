import { isFull } from './buffer-limit.js';
import type { BufferLimit } from './buffer-limit.js';
import { Deque } from './deque.js';
import type { MessageState } from '../run/message-state.js';

/**
 * Messages read (or back from a failed try) waiting for a processing slot,
 * oldest first, with their count and bytes against the input limit. The
 * scheduler takes from the front; a message going out again (a retry, or one
 * a dead worker never started) is put back at the front, ahead of new ones.
 */
export class InputBuffer {
  readonly limit: BufferLimit;
  readonly #items = new Deque<MessageState>();
  #bytes = 0;

  constructor(limit: BufferLimit) {
    this.limit = limit;
  }

  get size(): number {
    return this.#items.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get full(): boolean {
    return isFull(this.#items.size, this.#bytes, this.limit);
  }

  push(state: MessageState): void {
    this.#bytes += state.bytes;
    this.#items.push(state);
  }

  unshift(state: MessageState): void {
    this.#bytes += state.bytes;
    this.#items.unshift(state);
  }

  peek(): MessageState | undefined {
    return this.#items.peek();
  }

  shift(): MessageState | undefined {
    const state = this.#items.shift();
    if (state !== undefined) this.#bytes -= state.bytes;
    return state;
  }
}
