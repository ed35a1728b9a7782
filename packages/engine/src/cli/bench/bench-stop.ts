import { signalExitCodes as exitCodes } from '../exit-codes.js';

export type StopSignal = keyof typeof exitCodes;

/**
 * SIGINT and SIGTERM during a bench. The first aborts {@link signal}: the
 * setting running stops reading, lets its messages in flight finish, and is
 * left out; no other starts; the bench then prints what finished and exits
 * 130 or 143 ({@link exitCode}). A second one, while the setting cut short
 * still has messages in flight (a transform that hangs), calls `now`, which
 * prints what finished and exits at once.
 */
export class BenchStop {
  readonly #controller = new AbortController();
  readonly #now: (signal: StopSignal, code: number) => void;
  #by: StopSignal | undefined;
  /** The setting running, as named in the stop line. */
  running: string | undefined;

  constructor(now: (signal: StopSignal, code: number) => void) {
    this.#now = now;
  }

  readonly #onSigint = (): void => this.#stop('SIGINT');
  readonly #onSigterm = (): void => this.#stop('SIGTERM');

  /** Aborted at the first signal. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The signal that stopped the bench, if one did. */
  get by(): StopSignal | undefined {
    return this.#by;
  }

  /** The exit status of a stopped bench. */
  get exitCode(): number | undefined {
    return this.#by === undefined ? undefined : exitCodes[this.#by];
  }

  listen(): this {
    process.on('SIGINT', this.#onSigint);
    process.on('SIGTERM', this.#onSigterm);
    return this;
  }

  close(): void {
    process.off('SIGINT', this.#onSigint);
    process.off('SIGTERM', this.#onSigterm);
  }

  #stop(signal: StopSignal): void {
    if (this.#by !== undefined) {
      this.#now(this.#by, exitCodes[this.#by]);
      return;
    }
    this.#by = signal;
    const what = this.running === undefined ? 'before the first setting' : `${this.running}; its messages in flight finish first`;
    process.stderr.write(`tidemark: ${signal}: stopping ${what} (${signal} again to print what finished and exit at once)\n`);
    this.#controller.abort();
  }
}
