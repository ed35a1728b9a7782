import { now } from '@tidemark/workers';
import { IdleTimer, WakeAt } from './idle-timer.js';

/**
 * When a run's source counts as idle, for the watermark: the idle timer
 * (nothing read for `idleAfter` and nothing in flight: `idle` seals a
 * partial batch and publishes with the clock) and the wake-up when some
 * partition goes idle (`publish` with the clock). Only a source the reader
 * waits on can be idle: not one held back by full buffers or a batch in
 * flight, nor one that ended.
 */
export class SourceIdleness {
  readonly #timer: IdleTimer;
  readonly #partition: WakeAt;
  readonly #nextIdleAt: () => number;

  /** `nextIdleAt`: when some partition may go idle (the tracker's). */
  constructor(idleAfter: number, nextIdleAt: () => number, idle: () => void, publish: (at: number) => void) {
    this.#nextIdleAt = nextIdleAt;
    this.#timer = new IdleTimer(idleAfter, idle);
    this.#partition = new WakeAt(() => {
      if (!this.#timer.waiting) return;
      publish(now());
      this.#partition.at(this.#nextIdleAt());
    });
  }

  /** Whether the reader waits on the source. */
  set waiting(waiting: boolean) {
    this.#timer.waiting = waiting;
  }

  /** A message left the run, `inFlight` are left: a partition may go idle (while the reader waits on the source); none left arms the idle timer. */
  left(inFlight: number): void {
    if (this.#timer.waiting) this.#partition.at(this.#nextIdleAt());
    if (inFlight === 0) this.#timer.arm();
  }

  stop(): void {
    this.#timer.stop();
    this.#partition.stop();
  }
}
