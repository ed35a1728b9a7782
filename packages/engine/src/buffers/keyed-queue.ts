import { Heap } from 'heap-js';
import { Deque } from './deque.js';
import type { MessageState } from '../run/message-state.js';

const oldestFirst = (a: MessageState, b: MessageState): number => a.seq - b.seq;

/**
 * Messages waiting for a dispatch slot under `ordering: 'key'`: a message
 * may leave only while no other message of its key is out (dispatched, or
 * backing off before a retry), and a key's messages leave in read order,
 * as Confluent Parallel Consumer's KEY mode processes them. Messages
 * without a key are never held back.
 *
 *   add ──► #byKey (a deque per key, read order) ──► its head, while the key is free ──┐
 *   add (no key) ────────────────────────────────────────────────────────────────────────┼─► #ready (min-heap by seq) ─► shift
 *
 * A key is busy from the `shift` that sends one of its messages until
 * `free` (the dispatcher calls it when that message settles: completed, or
 * failed for good), so a slow key holds back only itself and the oldest
 * servable message of any other key leaves first. Invariant: the head of
 * every free key's deque, and every keyless message, is in `#ready` once.
 *
 * The messages in `#ready` are the ones that could start now: the input
 * buffer's limit counts them (`ready`, `readyBytes`). A message held behind
 * its key's running one does not count, or one hot key would fill the
 * buffer and stop reading for every other key (the head-of-line blocking
 * this mode exists to avoid); held messages are still in flight, bounded
 * with the rest by the three buffers' limits added up.
 */
export class KeyedQueue {
  readonly #byKey = new Map<string, Deque<MessageState>>();
  readonly #busy = new Set<string>();
  readonly #ready = new Heap<MessageState>(oldestFirst);
  #size = 0;
  #readyBytes = 0;
  /** Keys whose head was dropped: their next message becomes ready at `promote`. */
  readonly #promote: string[] = [];

  get size(): number {
    return this.#size;
  }

  /** Messages that could leave now: the ones the input buffer's limit counts. */
  get ready(): number {
    return this.#ready.size();
  }

  /** Their bytes. */
  get readyBytes(): number {
    return this.#readyBytes;
  }

  /** Keys with a message out now. */
  get busyKeys(): number {
    return this.#busy.size;
  }

  /** A message just read: behind the others of its key. */
  add(state: MessageState): void {
    this.#size++;
    const key = state.key;
    if (key === undefined) {
      this.#toReady(state);
      return;
    }
    let waiting = this.#byKey.get(key);
    if (waiting === undefined) this.#byKey.set(key, (waiting = new Deque()));
    waiting.push(state);
    if (waiting.size === 1 && !this.#busy.has(key)) this.#toReady(state);
  }

  /**
   * A message going out again (a retry) that holds its key: it comes back
   * first in its key, and its key is free for it alone.
   */
  unshift(state: MessageState): void {
    this.#size++;
    const key = state.key;
    if (key !== undefined) {
      let waiting = this.#byKey.get(key);
      if (waiting === undefined) this.#byKey.set(key, (waiting = new Deque()));
      waiting.unshift(state);
      this.#busy.delete(key);
    }
    this.#toReady(state);
  }

  /** The oldest message that may leave now (its key is free), if any. */
  peek(): MessageState | undefined {
    return this.#ready.peek();
  }

  /** Take out the message `peek` gives; its key is busy until `free`. */
  shift(): MessageState | undefined {
    const state = this.#take();
    if (state?.key !== undefined) this.#busy.add(state.key);
    return state;
  }

  /** The message of `key` that was out settled: the key's next message may leave. */
  free(key: string | undefined): void {
    if (key === undefined || !this.#busy.delete(key)) return;
    const next = this.#byKey.get(key)?.peek();
    if (next !== undefined) this.#toReady(next);
  }

  /**
   * Take out the oldest message that could leave now (`drop-oldest`: the
   * ones the limit counts). Its key stays free; its key's next message may
   * leave in its place once {@link promote} is called, after the dropping
   * is done (promoted at once, it would count against the limit and be
   * dropped next, and so on through the key's whole backlog).
   */
  removeOldest(): MessageState | undefined {
    const state = this.#take();
    if (state?.key !== undefined) this.#promote.push(state.key);
    return state;
  }

  /** The keys {@link removeOldest} dropped a message of: their next messages may leave now. */
  promote(): void {
    for (const key of this.#promote.splice(0)) {
      const next = this.#byKey.get(key)?.peek();
      if (next !== undefined && !this.#busy.has(key) && !this.#ready.contains(next)) this.#toReady(next);
    }
  }

  /** Out of `#ready` and of its key's deque. */
  #take(): MessageState | undefined {
    const state = this.#ready.pop();
    if (state === undefined) return undefined;
    this.#size--;
    this.#readyBytes -= state.bytes;
    const key = state.key;
    if (key !== undefined) {
      const waiting = this.#byKey.get(key) as Deque<MessageState>;
      waiting.shift();
      if (waiting.size === 0) this.#byKey.delete(key);
    }
    return state;
  }

  #toReady(state: MessageState): void {
    this.#ready.push(state);
    this.#readyBytes += state.bytes;
  }
}
