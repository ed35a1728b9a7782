import { setImmediate as nextTurn } from 'node:timers/promises';
import { InvalidOptionError } from '../errors.js';
import { Wakeup } from '../run/wakeup.js';

/** What `engine.process()` accepts: any iterable, sync or async. */
export type Source<T> = Iterable<T> | AsyncIterable<T>;

/** How the reader talks to its run. */
export interface ReaderHooks<T> {
  /** Whether the buffers have room for one more message. */
  canRead(): boolean;
  /** One item was read. */
  accept(item: T): void;
  /** The reader starts (true) or stops (false) waiting on an async source. */
  waiting(waiting: boolean): void;
}

/**
 * Items the reader takes in a row before it lets the event loop turn. A
 * source that never waits for I/O (an array, a generator, an async
 * generator that awaits nothing) would otherwise be read in one stretch for
 * as long as the run has room, and with a drop policy on the way it always
 * has: completions, timers, an abort and `close()` would wait for the
 * source to end, forever for an endless one. A turn per 1024 items costs
 * nothing measurable: 200k trivial messages at 256 in flight take 3.1 µs of
 * main-thread CPU each with it and without (medians of 6 runs, alternated).
 */
const itemsPerTurn = 1024;

/**
 * Pulls items from the source while the run has room, parks when it has
 * none (`room()` wakes it), and stops early on `stop()`, returning the
 * source's iterator so that it can release what it holds. Every
 * {@link itemsPerTurn} items it lets the event loop turn.
 */
export class SourceReader<T> {
  readonly #iterator: Iterator<T | readonly T[]> | AsyncIterator<T | readonly T[]>;
  readonly #async: boolean;
  readonly #hooks: ReaderHooks<T>;
  readonly #room = new Wakeup();
  /** Ends the wait for the source's next item, if one is waited for: a stop abandons it. */
  #abandon: (() => void) | undefined;
  #isStopped = false;
  /** Items the source gave while the run had no room for them: `items` from `at` on. */
  #held: { readonly items: readonly T[]; readonly at: number } | undefined;
  /** Whether an array the source gives is a chunk of items. */
  readonly #chunks: boolean;
  #done = false;
  /** The source's first item, asked for by `prime()` before `run()`. */
  #first: Promise<IteratorResult<T | readonly T[]>> | undefined;
  /** Whether `run()` has begun (it returns the iterator when it ends). */
  #running = false;
  #released = false;

  /** `chunks`: an array the source gives is a chunk of items, read one by one. */
  constructor(source: Source<T | readonly T[]>, hooks: ReaderHooks<T>, chunks = false) {
    this.#hooks = hooks;
    this.#chunks = chunks;
    if (source != null && typeof (source as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
      this.#iterator = (source as AsyncIterable<T | readonly T[]>)[Symbol.asyncIterator]();
      this.#async = true;
    } else if (source != null && typeof (source as Iterable<unknown>)[Symbol.iterator] === 'function') {
      this.#iterator = (source as Iterable<T | readonly T[]>)[Symbol.iterator]();
      this.#async = false;
    } else {
      throw new InvalidOptionError('source', 'an Iterable or AsyncIterable', source);
    }
  }

  /** True once the source is exhausted or the reader was stopped. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Ask the source for its first item now, before `run()` (the run's workers
   * are still starting), so that reading starts at the consumer's first
   * pull. Some sources lose what they produce before anything iterates them:
   * a readline interface emits its lines whether or not anyone listens.
   * `run()` takes the item first; a `stop()` before it leaves the item untaken.
   */
  prime(): void {
    if (this.#first !== undefined || this.#running || this.#isStopped) return;
    const first = this.#firstItem();
    first.catch(() => {}); // `run()` rethrows it; a run that never reads drops it
    this.#first = first;
  }

  async #firstItem(): Promise<IteratorResult<T | readonly T[]>> {
    return this.#untilStopped(Promise.resolve(this.#iterator.next()));
  }

  /** The primed first item, or the next one. */
  async #nextOf(first: Promise<IteratorResult<T | readonly T[]>>): Promise<IteratorResult<T | readonly T[]>> {
    this.#first = undefined;
    if (!this.#async) return first;
    this.#hooks.waiting(true);
    try {
      return await first;
    } finally {
      this.#hooks.waiting(false);
    }
  }

  /** Read until the source ends or `stop()`; rejects with the source's error. */
  async run(): Promise<void> {
    const hooks = this.#hooks;
    let sinceTurn = 0;
    this.#running = true;
    try {
      while (!this.#isStopped) {
        if (sinceTurn >= itemsPerTurn) {
          sinceTurn = 0;
          await nextTurn();
          continue;
        }
        if (!hooks.canRead()) {
          await this.#room.wait();
          continue;
        }
        const first = this.#first;
        const result =
          first !== undefined
            ? await this.#nextOf(first)
            : this.#async
              ? await this.#nextAsync()
              : (this.#iterator as Iterator<T | readonly T[]>).next();
        // An item that comes after a stop is not taken: the committed offset does not pass it.
        if (result.done === true || this.#isStopped) break;
        const value = result.value;
        if (this.#chunks && isChunk(value)) {
          sinceTurn += value.length;
          if (!(await this.#acceptAll(value))) break;
          continue;
        }
        sinceTurn++;
        if (hooks.canRead()) {
          hooks.accept(value as T);
        } else if (!(await this.#acceptAll([value as T]))) {
          break;
        }
      }
    } finally {
      this.#done = true;
      if (this.#isStopped) this.#release();
    }
  }

  /** Return the stopped source's iterator, once. Not awaited: an async source blocked in next() would hold return() back. */
  #release(): void {
    this.#done = true;
    if (this.#released) return;
    this.#released = true;
    void Promise.resolve()
      .then(() => this.#iterator.return?.())
      .catch(() => {});
  }

  /**
   * Accept `items` one by one as there is room. When there is none (a chunk
   * bigger than the room, or room lost while the source was awaited: a batch
   * sealed on idle, a retry back in the input buffer), the rest are held
   * here until there is, and a stop takes them at once. False when the stop
   * took them.
   */
  async #acceptAll(items: readonly T[]): Promise<boolean> {
    const hooks = this.#hooks;
    for (let at = 0; at < items.length; at++) {
      if (!hooks.canRead()) {
        this.#held = { items, at };
        while (this.#held !== undefined && !hooks.canRead()) await this.#room.wait();
        if (this.#held === undefined) return false;
        this.#held = undefined;
      }
      hooks.accept(items[at] as T);
    }
    return true;
  }

  /** Something freed room in the buffers. */
  room(): void {
    this.#room.notify();
  }

  /**
   * Stop reading (an abort, `close()`, or the consumer went away). An item
   * the source gave that was held for room is taken now, whatever the
   * buffers hold, so that it is handed over with the drain; unless
   * `takeHeld` is false (the consumer went away: nothing will be handed over).
   */
  stop(takeHeld = true): void {
    if (this.#isStopped) return;
    this.#isStopped = true;
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined && takeHeld) for (let at = held.at; at < held.items.length; at++) this.#hooks.accept(held.items[at] as T);
    this.#abandon?.();
    this.#room.notify();
    // Stopped before reading (the workers failed to start, an abort): `run()`
    // never returns the iterator, so that its source can release what it holds.
    if (!this.#running) this.#release();
  }

  /**
   * `next`'s result, or done once the reader is stopped. Not a race against
   * one run-long "stopped" promise: each race would leave a reaction on it
   * holding its item, so every item read would stay in memory until the run
   * ended (a long run from an async source grew without bound).
   */
  #untilStopped(next: Promise<IteratorResult<T | readonly T[]>>): Promise<IteratorResult<T | readonly T[]>> {
    if (this.#isStopped) {
      next.catch(() => {});
      return Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve, reject) => {
      const abandon = (): void => resolve({ done: true, value: undefined });
      this.#abandon = abandon;
      next.then(resolve, reject).finally(() => {
        // Only its own: by now the next read may have set its own.
        if (this.#abandon === abandon) this.#abandon = undefined;
      });
    });
  }

  async #nextAsync(): Promise<IteratorResult<T | readonly T[]>> {
    this.#hooks.waiting(true);
    try {
      return await this.#untilStopped((this.#iterator as AsyncIterator<T | readonly T[]>).next());
    } finally {
      this.#hooks.waiting(false);
    }
  }
}

/** Whether a chunked source gave an array of items; a revoked Proxy (which `Array.isArray` throws on) is one bad item. */
function isChunk<T>(value: T | readonly T[]): value is readonly T[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}
