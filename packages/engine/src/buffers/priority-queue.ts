import { Heap } from 'heap-js';
import { Deque } from './deque.js';
import type { MessageState } from '../run/message-state.js';

/** Which of the lowest-ranked messages is dropped first when several tie: the one read first, or last. */
export type DropTies = 'oldest' | 'newest';

/** A waiting message with its rank; `gone` once it left through either end. */
interface Entry {
  readonly state: MessageState;
  readonly key: number;
  readonly seq: number;
  /** Waiting among the retries (the deque) rather than in `#highest`. */
  readonly retry: boolean;
  gone: boolean;
}

/**
 * Messages waiting for a dispatch slot, highest priority first, with aging.
 *
 *   unshift ─► #retries (Deque, read order) ──┐
 *                                             ├─► shift: the first retry, else the top of #highest
 *   add ────► #highest (max-heap: key, seq) ──┘
 *   both ───► #lowest  (min-heap: key, seq)  ───► dropLowest: the lowest-ranked, retries included
 *
 * A message read at `readAt` with priority `p` has, at time `t`, the
 * effective priority `p + (t - readAt) / aging`. Every waiting message ages
 * at the same rate, so their order never changes while they wait, and the
 * static key `p - readAt / aging` ranks them for good: a heap, never a
 * re-sort. Read times count from the first message's, so the key keeps its
 * precision (epoch ms divided by a small `aging` would swamp a fractional
 * priority); `aging = Infinity` makes the key `p`. Equal keys leave in read
 * order (`seq`).
 *
 * The two heaps hold the same entries (`#lowest` only when the overflow
 * policy drops). An entry taken out through one end is marked gone and
 * skipped when it surfaces at the other (lazy deletion, as in the notes on
 * Python's `heapq` and in the watermark's heaps); a heap more than half
 * gone is rebuilt without its dead, so every operation is O(log n)
 * amortized and each heap holds at most about twice the live entries.
 */
export class PriorityQueue {
  readonly #aging: number;
  readonly #retries = new Deque<Entry>();
  readonly #highest = new Heap<Entry>(highestFirst);
  readonly #lowest: Heap<Entry> | undefined;
  #highestGone = 0;
  #lowestGone = 0;
  #size = 0;
  /** The first read time seen: keys count from it. */
  #origin = Number.NaN;

  /**
   * `aging`: ms of waiting per priority level (Infinity: none). `drop`: keep
   * the lowest end too (for `dropLowest`), and which of tied entries goes
   * first; undefined when nothing is ever dropped.
   */
  constructor(aging: number, drop?: DropTies) {
    this.#aging = aging;
    this.#lowest = drop === undefined ? undefined : new Heap<Entry>(drop === 'oldest' ? lowestOldestFirst : lowestNewestFirst);
  }

  get size(): number {
    return this.#size;
  }

  /** A message just read. */
  add(state: MessageState): void {
    const entry = this.#entry(state, false);
    this.#highest.add(entry);
    this.#lowest?.add(entry);
    this.#size++;
  }

  /**
   * A retry: ahead of every message that has not been tried, and among the
   * retries in read order (as the FIFO input buffer puts it).
   */
  unshift(state: MessageState): void {
    const entry = this.#entry(state, true);
    this.#retries.insert(entry, (other) => other.seq > entry.seq);
    this.#lowest?.add(entry);
    this.#size++;
  }

  /** The next message to leave, if any. */
  peek(): MessageState | undefined {
    return this.#next()?.state;
  }

  /** Take out the next message to leave. */
  shift(): MessageState | undefined {
    const entry = this.#next();
    if (entry === undefined) return undefined;
    if (entry.retry) this.#retries.shift();
    else this.#highest.pop();
    entry.gone = true;
    this.#size--;
    const lowest = this.#lowest;
    if (lowest !== undefined) this.#lowestGone = compactIfDead(lowest, this.#lowestGone + 1);
    return entry.state;
  }

  /**
   * Whether `state`, arriving now, ranks at or below every waiting message:
   * it would be dropped before any of them. Needs the lowest end (`drop`).
   */
  dropsBefore(state: MessageState): boolean {
    const lowest = this.#peekLowest();
    return lowest === undefined || (this.#lowest as Heap<Entry>).compare(this.#probe(state), lowest) < 0;
  }

  /** Take out the lowest-ranked waiting message (ties as `drop` says). Needs the lowest end. */
  dropLowest(): MessageState | undefined {
    const entry = this.#peekLowest();
    if (entry === undefined) return undefined;
    (this.#lowest as Heap<Entry>).pop();
    entry.gone = true;
    this.#size--;
    // A gone retry is skipped when it reaches the front of its deque.
    if (!entry.retry) this.#highestGone = compactIfDead(this.#highest, this.#highestGone + 1);
    return entry.state;
  }

  /** The live entry that leaves next: the first retry, else the highest-ranked. */
  #next(): Entry | undefined {
    const retries = this.#retries;
    for (let first = retries.peek(); first !== undefined; first = retries.peek()) {
      if (!first.gone) return first;
      retries.shift();
    }
    const highest = this.#highest;
    for (let top = highest.peek(); top !== undefined; top = highest.peek()) {
      if (!top.gone) return top;
      highest.pop();
      this.#highestGone--;
    }
    return undefined;
  }

  #peekLowest(): Entry | undefined {
    const lowest = this.#lowest as Heap<Entry>;
    for (let top = lowest.peek(); top !== undefined; top = lowest.peek()) {
      if (!top.gone) return top;
      lowest.pop();
      this.#lowestGone--;
    }
    return undefined;
  }

  #entry(state: MessageState, retry: boolean): Entry {
    return { state, key: this.#key(state), seq: state.seq, retry, gone: false };
  }

  /** An entry for `state` to compare, in no heap. */
  #probe(state: MessageState): Entry {
    return { state, key: this.#key(state), seq: state.seq, retry: false, gone: true };
  }

  #key(state: MessageState): number {
    if (Number.isNaN(this.#origin)) this.#origin = state.readAt;
    // Without aging (Infinity) the key is the priority alone: a finite wait / Infinity is 0.
    return (state.priority ?? 0) - (state.readAt - this.#origin) / this.#aging;
  }
}

/** Rebuild `heap` without its gone entries once they are more than half of it; returns the gone count left. */
function compactIfDead(heap: Heap<Entry>, gone: number): number {
  if (gone < 64 || gone * 2 <= heap.length) return gone;
  heap.heapArray = heap.heapArray.filter((entry) => !entry.gone);
  heap.init();
  return 0;
}

function highestFirst(a: Entry, b: Entry): number {
  if (a.key !== b.key) return a.key > b.key ? -1 : 1;
  return a.seq - b.seq;
}

function lowestOldestFirst(a: Entry, b: Entry): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.seq - b.seq;
}

function lowestNewestFirst(a: Entry, b: Entry): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return b.seq - a.seq;
}
