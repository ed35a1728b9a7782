import { Heap } from 'heap-js';

/**
 * The in-flight tracker behind the output watermark.
 *
 *   insert(7, w=10)   insert(8, w=12)   complete(7)        current()
 *   heap: [7:10]      [7:10, 8:12]      [7:10*, 8:12]      pops 7:10* -> 12
 *                                        (* stale: lazily deleted)
 *
 * A min-heap keyed by the input watermark each message was read under; the
 * output watermark is its live minimum, or the latest input watermark when
 * nothing is in flight, and is clamped so it never decreases. Completion only
 * forgets the entry in a map; a stale entry is popped when it reaches the top
 * (the lazy deletion of Flink's and Numaflow's watermark fetchers), and the
 * heap is rebuilt when stale entries outnumber live ones so memory stays
 * proportional to what is in flight. Every operation is O(log n) amortized.
 */
export class WatermarkTracker {
  readonly #heap = new Heap<Entry>(compareEntries);
  readonly #live = new Map<number, Entry>();
  #latestInput: number;
  #output: number;

  /** @param initial the watermark before any input: `-Infinity` unless resuming. */
  constructor(initial = Number.NEGATIVE_INFINITY) {
    this.#latestInput = initial;
    this.#output = initial;
  }

  /**
   * Track `offset` as in flight, read under input watermark `watermark`.
   * Input watermarks never decrease, so neither may the values passed here.
   */
  insert(offset: number, watermark: number): void {
    if (this.#live.has(offset)) {
      throw new RangeError(`offset ${offset} is already in flight`);
    }
    // `!(>=)` so that NaN, which would disable this check for good, is refused too.
    if (!(watermark >= this.#latestInput)) {
      throw new RangeError(
        `input watermark went back from ${this.#latestInput} to ${watermark} (offset ${offset})`,
      );
    }
    this.#latestInput = watermark;
    const entry: Entry = { offset, watermark };
    this.#live.set(offset, entry);
    this.#heap.push(entry);
  }

  /** Forget `offset` (in any order). Returns false when it was not in flight. */
  complete(offset: number): boolean {
    if (!this.#live.delete(offset)) return false;
    if (this.#heap.size() > 2 * this.#live.size + 64) this.#compact();
    return true;
  }

  /** Raise the latest input watermark without a message (idle advance). */
  advanceInput(watermark: number): void {
    if (watermark > this.#latestInput) this.#latestInput = watermark;
  }

  /** The output watermark: never decreases, never above any in-flight entry's watermark. */
  current(): number {
    let top = this.#heap.peek();
    while (top !== undefined && this.#live.get(top.offset) !== top) {
      this.#heap.pop();
      top = this.#heap.peek();
    }
    const candidate = top === undefined ? this.#latestInput : top.watermark;
    if (candidate > this.#output) this.#output = candidate;
    return this.#output;
  }

  /** The latest input watermark seen by `insert` or `advanceInput`. */
  get inputWatermark(): number {
    return this.#latestInput;
  }

  /** How many messages are in flight. */
  get size(): number {
    return this.#live.size;
  }

  /** Whether `offset` is in flight. */
  has(offset: number): boolean {
    return this.#live.has(offset);
  }

  #compact(): void {
    this.#heap.init([...this.#live.values()]);
  }
}

interface Entry {
  readonly offset: number;
  readonly watermark: number;
}

function compareEntries(a: Entry, b: Entry): number {
  if (a.watermark !== b.watermark) return a.watermark < b.watermark ? -1 : 1;
  return a.offset - b.offset;
}
