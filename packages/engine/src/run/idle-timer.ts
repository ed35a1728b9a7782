import { now } from '@tidemark/workers';

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
    this.#wait(now() + this.#after);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Call `idle` at `due` by the clock the idle check reads (`now()`, as the
   * read times are taken). A timer counts from the event loop's time, taken
   * when the loop turn began, so it can fire up to a turn early; the check
   * would then refuse, and nothing would arm the timer again until the
   * source gives something. So an early timer waits out the rest.
   */
  #wait(due: number): void {
    this.#timer = setTimeout(() => {
      if (now() < due) this.#wait(due);
      else if (this.#waiting) this.#idle();
    }, Math.max(0, due - now()));
    this.#timer.unref();
  }
}

/**
 * Calls `wake` at a given time (epoch ms, by `now()`), keeping only the
 * earliest time asked for; a time already past wakes at the next turn. The
 * timer never holds the process open.
 */
export class WakeAt {
  readonly #wake: () => void;
  #due = Number.POSITIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  constructor(wake: () => void) {
    this.#wake = wake;
  }

  /** Wake at `due` unless already due to wake earlier (Infinity: nothing to wait for). */
  at(due: number): void {
    if (!(due < this.#due)) return;
    clearTimeout(this.#timer);
    this.#due = due;
    this.#arm();
  }

  /** A timer can fire up to a loop turn early (see `IdleTimer`): an early one waits out the rest. */
  #arm(): void {
    this.#timer = setTimeout(() => {
      if (now() < this.#due) {
        this.#arm();
        return;
      }
      this.#due = Number.POSITIVE_INFINITY;
      this.#timer = undefined;
      this.#wake();
    }, Math.max(0, this.#due - now()));
    this.#timer.unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#due = Number.POSITIVE_INFINITY;
  }
}
