import { now } from '@tidemark/workers';

/**
 * One clock reading per batch of completions: the first `now()` of a
 * synchronous run of calls (a transport draining its results) reads the
 * clock, and the rest of the run reuses it; the reading is forgotten at the
 * next microtask. Completions seen together are stamped together.
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
