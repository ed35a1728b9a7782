import { isFull } from './buffer-limit.js';
import type { BufferLimit } from './buffer-limit.js';
import { Deque } from './deque.js';
import type { MessageState } from '../run/message-state.js';
import { KeyedQueue } from './keyed-queue.js';
import { PriorityQueue } from './priority-queue.js';
import { shedArriving } from './shed.js';
import type { Shed } from './shed.js';

/**
 * Messages read (or back from a failed try) waiting for a dispatch slot,
 * with their count and bytes against the input limit, and the input
 * overflow policy applied as messages arrive. A message going out again (a
 * retry) is put back at the front, ahead of new ones.
 *
 * Without priority they leave oldest first (a deque). With the `priority`
 * option they leave highest effective priority first, equal ones in read
 * order (a {@link PriorityQueue}), and `drop-oldest` and `drop-newest` drop
 * the lowest effective priority first. With `ordering: 'key'` a message
 * leaves only while no other of its key is out (a {@link KeyedQueue}); the
 * dispatcher says when one settled (`settled`).
 */
export class InputBuffer {
  readonly limit: BufferLimit;
  readonly #items = new Deque<MessageState>();
  /** With priority: the messages, ranked (`#items` is then unused). */
  readonly #ranked: PriorityQueue | undefined;
  /** With `ordering: 'key'`: the messages, by key (`#items` is then unused). */
  readonly #keyed: KeyedQueue | undefined;
  #bytes = 0;

  /**
   * `priorityAging`: serve by priority, aging by this many ms per level
   * (Infinity: no aging); undefined: first in, first out. `keyed`: one
   * message per key out at a time (not with priority).
   */
  constructor(limit: BufferLimit, priorityAging?: number, keyed = false) {
    this.limit = limit;
    if (keyed) this.#keyed = new KeyedQueue();
    else if (priorityAging !== undefined) {
      const policy = limit.overflow;
      const drop = policy === 'drop-oldest' ? 'oldest' : policy === 'drop-newest' ? 'newest' : undefined;
      this.#ranked = new PriorityQueue(priorityAging, drop);
    }
  }

  get size(): number {
    return (this.#ranked ?? this.#keyed ?? this.#items).size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Whether the limit is reached. With `ordering: 'key'` only messages that could start now count (see {@link KeyedQueue}). */
  get full(): boolean {
    const keyed = this.#keyed;
    return keyed === undefined ? isFull(this.size, this.#bytes, this.limit) : isFull(keyed.ready, keyed.readyBytes, this.limit);
  }

  /**
   * A message arrives from the source. Under `block` it always joins (the
   * reader does not read into a full buffer). When full, `reject` turns the
   * arriving message away; without priority `drop-newest` drops it and
   * `drop-oldest` takes out the oldest ones until there is room. With
   * priority both drop policies take out the lowest effective priority
   * first, the arriving message included, until there is room or the
   * arriving message itself went (ties: the oldest of the lowest under
   * `drop-oldest`, the newest under `drop-newest`). Returns what was shed,
   * if anything.
   */
  add(state: MessageState): Shed | undefined {
    const policy = this.limit.overflow;
    if (policy === 'block' || !this.full) {
      this.#push(state);
      return undefined;
    }
    if (policy === 'reject') return shedArriving('input', policy, state);
    const ranked = this.#ranked;
    if (ranked !== undefined) return this.#dropLowest(ranked, policy, state);
    if (policy === 'drop-newest') return shedArriving('input', policy, state);
    const dropped: MessageState[] = [];
    while (this.full) dropped.push(this.#removeOldest());
    this.#keyed?.promote();
    this.#push(state);
    return { buffer: 'input', policy, dropped, rejected: undefined };
  }

  /**
   * A retry, back in read order: ahead of every message read after it (the
   * ones read since are all behind it), behind the retries of messages read
   * before it. So the message an ordered run waits for, when it is here, is
   * always first: a later retry that came back after it never blocks it.
   * With priority it goes ahead of every untried message whatever their
   * priorities, in read order among the retries.
   */
  unshift(state: MessageState): void {
    this.#bytes += state.bytes;
    if (this.#ranked !== undefined) this.#ranked.unshift(state);
    else if (this.#keyed !== undefined) this.#keyed.unshift(state);
    else this.#items.insert(state, (other) => other.seq > state.seq);
  }

  peek(): MessageState | undefined {
    return (this.#ranked ?? this.#keyed ?? this.#items).peek();
  }

  shift(): MessageState | undefined {
    const state = (this.#ranked ?? this.#keyed ?? this.#items).shift();
    if (state !== undefined) this.#bytes -= state.bytes;
    return state;
  }

  /** `state`, which `shift` gave, settled (completed or failed for good): with `ordering: 'key'`, its key's next message may leave. */
  settled(state: MessageState): void {
    this.#keyed?.free(state.key);
  }

  #push(state: MessageState): void {
    this.#bytes += state.bytes;
    if (this.#ranked !== undefined) this.#ranked.add(state);
    else if (this.#keyed !== undefined) this.#keyed.add(state);
    else this.#items.push(state);
  }

  /** Without priority, `drop-oldest` takes out the message read first (whether or not its key is free). */
  #removeOldest(): MessageState {
    const state = (this.#keyed === undefined ? this.#items.shift() : this.#keyed.removeOldest()) as MessageState;
    this.#bytes -= state.bytes;
    return state;
  }

  /** A full buffer under a drop policy, with priority: the lowest go first, the arriving `state` among them. */
  #dropLowest(ranked: PriorityQueue, policy: 'drop-oldest' | 'drop-newest', state: MessageState): Shed {
    const dropped: MessageState[] = [];
    while (this.full && ranked.size > 0) {
      if (ranked.dropsBefore(state)) {
        dropped.push(state);
        return { buffer: 'input', policy, dropped, rejected: undefined };
      }
      const lowest = ranked.dropLowest() as MessageState;
      this.#bytes -= lowest.bytes;
      dropped.push(lowest);
    }
    this.#push(state);
    return { buffer: 'input', policy, dropped, rejected: undefined };
  }
}
