import { isFull } from './buffer-limit.js';
import type { BufferLimit } from './buffer-limit.js';
import { Deque } from './deque.js';
import type { MessageState } from '../run/message-state.js';
import { shedArriving } from './shed.js';
import type { Shed } from './shed.js';

/**
 * Messages read (or back from a failed try) waiting for a dispatch slot,
 * oldest first, with their count and bytes against the input limit, and
 * the input overflow policy applied as messages arrive. A message going out
 * again (a retry) is put back at the front, ahead of new ones.
 */
export class InputBuffer {
  readonly limit: BufferLimit;
  readonly #items = new Deque<MessageState>();
  #bytes = 0;

  /** `priorityAging`: serve by priority, aging by this many ms per level (Infinity: no aging); undefined: first in, first out. */
  constructor(limit: BufferLimit, priorityAging?: number) {
    this.limit = limit;
    void priorityAging;
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

  /**
   * A message arrives from the source. Under `block` it always joins (the
   * reader does not read into a full buffer). When full, `drop-newest` and
   * `reject` shed the arriving message, and `drop-oldest` takes out the
   * oldest ones until there is room; returns what was shed, if anything.
   */
  add(state: MessageState): Shed | undefined {
    const policy = this.limit.overflow;
    if (policy === 'block' || !this.full) {
      this.#push(state);
      return undefined;
    }
    if (policy !== 'drop-oldest') return shedArriving('input', policy, state);
    const dropped: MessageState[] = [];
    while (this.full && this.#items.size > 0) dropped.push(this.shift() as MessageState);
    this.#push(state);
    return { buffer: 'input', policy, dropped, rejected: undefined };
  }

  /**
   * A retry, back in read order: ahead of every message read after it (the
   * ones read since are all behind it), behind the retries of messages read
   * before it. So the message an ordered run waits for, when it is here, is
   * always first: a later retry that came back after it never blocks it.
   */
  unshift(state: MessageState): void {
    this.#bytes += state.bytes;
    this.#items.insert(state, (other) => other.seq > state.seq);
  }

  peek(): MessageState | undefined {
    return this.#items.peek();
  }

  shift(): MessageState | undefined {
    const state = this.#items.shift();
    if (state !== undefined) this.#bytes -= state.bytes;
    return state;
  }

  #push(state: MessageState): void {
    this.#bytes += state.bytes;
    this.#items.push(state);
  }
}
