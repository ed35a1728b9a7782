/**
 * A FIFO over an array with a moving head: push, shift and unshift in O(1)
 * amortized, compacted as it drains so that it does not grow without bound.
 */
export class Deque<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** Put `item` in front of the others (it will leave first). */
  unshift(item: T): void {
    if (this.#head > 0) this.#items[--this.#head] = item;
    else this.#items.unshift(item);
  }

  /** Put `item` just before the first item `goesAfter` says follows it (at the end if none does). O(n): for rare inserts. */
  insert(item: T, goesAfter: (other: T) => boolean): void {
    let at = this.#head;
    while (at < this.#items.length && !goesAfter(this.#items[at] as T)) at++;
    if (at === this.#head) this.unshift(item);
    else this.#items.splice(at, 0, item);
  }

  peek(): T | undefined {
    return this.#head === this.#items.length ? undefined : this.#items[this.#head];
  }

  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}
