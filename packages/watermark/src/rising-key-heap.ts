import { Heap } from 'heap-js';

/**
 * A heap-js min-heap over a few long-lived items (here: partitions) whose keys
 * only rise, each item in it at most once.
 *
 *   offer(a), offer(b)    a's key rises to 9        peek()
 *   [a:3, b:5]            [a:3, b:5] (a:3 stale)    re-keys a in place -> [b:5, a:9], gives b
 *
 * An item's key is read when it is offered, then left as is: keys only rise,
 * so a stored key is a lower bound of the true one, and once the top's stored
 * key is its true key no other item can be lower. `peek()` re-keys a stale top
 * (one sift-down) and drops a top that no longer belongs (lazy deletion, as in
 * `WatermarkTracker`); the owner offers the item again when it belongs again.
 * So a change costs nothing until it reaches the top, then O(log n), and the
 * heap never holds more than one entry per item.
 */
export class RisingKeyHeap<T> {
  readonly #heap = new Heap<Entry<T>>(byKey);
  readonly #entries = new Map<T, Entry<T>>();
  readonly #keyOf: (item: T) => number;
  readonly #belongs: (item: T) => boolean;

  /**
   * @param keyOf the item's current key; it must never decrease.
   * @param belongs whether the item is still wanted; a top that is not is dropped.
   */
  constructor(keyOf: (item: T) => number, belongs: (item: T) => boolean) {
    this.#keyOf = keyOf;
    this.#belongs = belongs;
  }

  /** Put `item` in the heap unless it is there already: call it whenever `item` may have come to belong. */
  offer(item: T): void {
    let entry = this.#entries.get(item);
    if (entry === undefined) {
      entry = { item, key: 0, queued: false };
      this.#entries.set(item, entry);
    }
    if (entry.queued) return;
    entry.key = this.#keyOf(item);
    entry.queued = true;
    this.#heap.push(entry);
  }

  /** The item of lowest key among those that belong, or undefined when none does. */
  peek(): T | undefined {
    for (let top = this.#heap.peek(); top !== undefined; top = this.#heap.peek()) {
      if (!this.#belongs(top.item)) {
        this.#heap.pop();
        top.queued = false;
        continue;
      }
      const key = this.#keyOf(top.item);
      // `!(>)`: a NaN key is taken as it stands rather than re-keyed forever.
      if (!(key > top.key)) return top.item;
      top.key = key;
      // The root's key only rose, so one sift-down from the root restores the heap.
      this.#heap.replace(top);
    }
    return undefined;
  }
}

interface Entry<T> {
  readonly item: T;
  key: number;
  /** Whether the entry is in the heap (an item is in it at most once). */
  queued: boolean;
}

// `<` rather than subtraction: keys may be -Infinity or Infinity.
function byKey<T>(a: Entry<T>, b: Entry<T>): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
