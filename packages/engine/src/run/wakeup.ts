/** A one-waiter wake-up: `wait()` parks an async loop until someone calls `notify()`. */
export class Wakeup {
  #resolve: (() => void) | undefined;
  #pending = false;

  /** Resolves at the next `notify()`, or at once if one came since the last wait. */
  wait(): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  notify(): void {
    const resolve = this.#resolve;
    if (resolve === undefined) {
      this.#pending = true;
      return;
    }
    this.#resolve = undefined;
    resolve();
  }
}
