/** What the table needs of an entry: its id, and the two links of the read-order list, which only the table writes. */
export interface InFlightEntry {
  readonly id: number;
  /** The entry read just before it that is still in the table (the table's own link). */
  older: InFlightEntry | undefined;
  /** The entry read just after it that is still in the table (the table's own link). */
  newer: InFlightEntry | undefined;
}

/** Slots to start with: a power of two; the table doubles when half of them hold entries. */
const INITIAL_SLOTS = 1024;

/**
 * The tracker's messages in flight, by id and in read order: what a `Map`
 * gave, at a fraction of its cost per message (a Map's insert and delete
 * churn is most of what keeping a message in flight costs it).
 *
 *   slots (id & mask)          read order (a list through the entries)
 *   ┌────┬────┬────┬────┐      oldest ⇄ … ⇄ newest
 *   │ 8  │    │ 2  │ 7  │      aside: { 6 }  (its slot held 2, still in flight)
 *   └────┴────┴────┴────┘
 *
 * Ids come from one counter (message-ids.ts), so the messages in flight
 * have nearby ids and `id & mask` gives each a slot of its own, as long as
 * none stays in flight while a table's worth of later messages are read. An
 * entry whose slot is taken by such a straggler waits in a Map aside. Entries
 * are added in read order, and each links to its neighbours in that order,
 * so the oldest is at hand and leaving is O(1). The slots double (every
 * entry is placed again) when half of them are taken.
 */
export class InFlightTable<T extends InFlightEntry> {
  #slots: (T | undefined)[] = new Array<T | undefined>(INITIAL_SLOTS).fill(undefined);
  #mask = INITIAL_SLOTS - 1;
  /** Entries whose slot another one held when they came. */
  readonly #aside = new Map<number, T>();
  #oldest: T | undefined;
  #newest: T | undefined;
  #size = 0;

  /** Entries in the table. */
  get size(): number {
    return this.#size;
  }

  /** The entry read first of those in the table. */
  get oldest(): T | undefined {
    return this.#oldest;
  }

  /** The entry with `id`, if it is in the table. */
  get(id: number): T | undefined {
    const entry = this.#slots[id & this.#mask];
    if (entry !== undefined && entry.id === id) return entry;
    return this.#aside.size === 0 ? undefined : this.#aside.get(id);
  }

  /** Add `entry` as the newest (its id must not be in the table: the caller checks). */
  add(entry: T): void {
    if (2 * (this.#size + 1) > this.#slots.length) this.#grow();
    this.#place(entry);
    entry.older = this.#newest;
    entry.newer = undefined;
    if (this.#newest === undefined) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
    this.#size++;
  }

  /** Take `entry` out; false when it is not in the table. */
  delete(entry: T): boolean {
    const at = entry.id & this.#mask;
    if (this.#slots[at] === entry) this.#slots[at] = undefined;
    else if (this.#aside.get(entry.id) === entry) this.#aside.delete(entry.id);
    else return false;
    const { older, newer } = entry;
    if (older === undefined) this.#oldest = newer as T | undefined;
    else older.newer = newer;
    if (newer === undefined) this.#newest = older as T | undefined;
    else newer.older = older;
    entry.older = entry.newer = undefined;
    this.#size--;
    return true;
  }

  /** The entries, oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let entry = this.#oldest; entry !== undefined; entry = entry.newer as T | undefined) yield entry;
  }

  #place(entry: T): void {
    const at = entry.id & this.#mask;
    if (this.#slots[at] === undefined) this.#slots[at] = entry;
    else this.#aside.set(entry.id, entry);
  }

  #grow(): void {
    const size = this.#slots.length * 2;
    this.#slots = new Array<T | undefined>(size).fill(undefined);
    this.#mask = size - 1;
    this.#aside.clear();
    for (const entry of this) this.#place(entry);
  }
}
