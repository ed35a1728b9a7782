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
 * Pulls items from the source while the run has room, parks when it has
 * none (`room()` wakes it), and stops early on `stop()`, returning the
 * source's iterator so that it can release what it holds.
 */
export class SourceReader<T> {
  readonly #iterator: Iterator<T> | AsyncIterator<T>;
  readonly #async: boolean;
  readonly #hooks: ReaderHooks<T>;
  readonly #room = new Wakeup();
  readonly #stopped: Promise<IteratorResult<T>>;
  #stop: () => void = () => {};
  #isStopped = false;
  /** An item the source gave while the run had no room for it. */
  #held: IteratorYieldResult<T> | undefined;
  #done = false;

  constructor(source: Source<T>, hooks: ReaderHooks<T>) {
    this.#hooks = hooks;
    if (source != null && typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] === 'function') {
      this.#iterator = (source as AsyncIterable<T>)[Symbol.asyncIterator]();
      this.#async = true;
    } else if (source != null && typeof (source as Iterable<T>)[Symbol.iterator] === 'function') {
      this.#iterator = (source as Iterable<T>)[Symbol.iterator]();
      this.#async = false;
    } else {
      throw new InvalidOptionError('source', 'an Iterable or AsyncIterable', source);
    }
    this.#stopped = new Promise((resolve) => {
      this.#stop = () => resolve({ done: true, value: undefined });
    });
  }

  /** True once the source is exhausted or the reader was stopped. */
  get done(): boolean {
    return this.#done;
  }

  /** Read until the source ends or `stop()`; rejects with the source's error. */
  async run(): Promise<void> {
    try {
      while (!this.#isStopped) {
        if (!this.#hooks.canRead()) {
          await this.#room.wait();
          continue;
        }
        const result = this.#async ? await this.#nextAsync() : (this.#iterator as Iterator<T>).next();
        // An item that comes after a stop is not taken: the committed offset does not pass it.
        if (result.done === true || this.#isStopped) break;
        if (!this.#hooks.canRead()) {
          // The run lost its room while the source was awaited (a batch
          // sealed on idle, a retry back in the input buffer): the item is
          // held here until there is room, and a stop takes it at once.
          this.#held = result;
          while (this.#held !== undefined && !this.#hooks.canRead()) await this.#room.wait();
          if (this.#held === undefined) break; // stop() took it
          this.#held = undefined;
        }
        this.#hooks.accept(result.value);
      }
    } finally {
      this.#done = true;
      // Not awaited: an async source blocked in next() would hold return() back.
      if (this.#isStopped) void Promise.resolve(this.#iterator.return?.()).catch(() => {});
    }
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
    if (held !== undefined && takeHeld) this.#hooks.accept(held.value);
    this.#stop();
    this.#room.notify();
  }

  async #nextAsync(): Promise<IteratorResult<T>> {
    this.#hooks.waiting(true);
    try {
      return await Promise.race([(this.#iterator as AsyncIterator<T>).next(), this.#stopped]);
    } finally {
      this.#hooks.waiting(false);
    }
  }
}
