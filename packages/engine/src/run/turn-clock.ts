import { now } from '@tidemark/workers';

/**
 * One clock reading per batch: the first `now()` of a synchronous run of
 * calls (a transport draining its results, the reader taking what a sync
 * source has) reads the clock, and the rest of the run reuses it; the
 * reading is forgotten at the next microtask. Messages read, dispatched,
 * completed or acked together are stamped together.
 */
export class TurnClock {
  #at = 0;
  readonly #forget = () => {
    this.#at = 0;
  };

  now(): number {
    if (this.#at === 0) {
      this.#at = now();
      queueMicrotask(this.#forget);
    }
    return this.#at;
  }
}

/** The main thread's turn clock, for every per-message time the engine takes there. */
export const turnClock = new TurnClock();
