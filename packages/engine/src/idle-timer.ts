/**
 * Fires `idle` once the source has been waited on for `after` ms without
 * giving anything. Armed when the reader starts waiting (and again when the
 * last in-flight message is acked while it waits), disarmed when an item
 * comes. The timer never holds the process open: the source's own I/O does.
 */
export class IdleTimer {
  readonly #after: number;
  readonly #idle: () => void;
  #timer: NodeJS.Timeout | undefined;
  #waiting = false;

  constructor(after: number, idle: () => void) {
    this.#after = after;
    this.#idle = idle;
  }

  /** Whether the reader is waiting on the source now. */
  get waiting(): boolean {
    return this.#waiting;
  }

  /** The reader starts (true) or stops (false) waiting on the source. */
  set waiting(waiting: boolean) {
    this.#waiting = waiting;
    if (waiting) this.arm();
    else this.stop();
  }

  /** (Re)start the countdown if the reader is waiting. */
  arm(): void {
    if (!this.#waiting) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#waiting) this.#idle();
    }, this.#after);
    this.#timer.unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
