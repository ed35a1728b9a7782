/**
 * Shared-memory gates for the `gated.js` fixture: slot 0 counts started
 * messages, slot i + 1 is message i's gate. The test opens gates to choose
 * the order in which messages complete; nothing waits on a clock.
 */
export class Gates {
  readonly buffer: SharedArrayBuffer;
  readonly #view: Int32Array;

  constructor(count: number) {
    this.buffer = new SharedArrayBuffer(4 * (count + 1));
    this.#view = new Int32Array(this.buffer);
  }

  /** The value of message `index` for the gated fixture. */
  message(index: number, extra: Record<string, unknown> = {}): { value: Record<string, unknown> } {
    return { value: { gates: this.buffer, index, ...extra } };
  }

  open(index: number): void {
    Atomics.store(this.#view, index + 1, 1);
    Atomics.notify(this.#view, index + 1);
  }

  /** Resolves once at least `count` messages have started in a worker. */
  async started(count: number): Promise<void> {
    for (;;) {
      const seen = Atomics.load(this.#view, 0);
      if (seen >= count) return;
      const wait = Atomics.waitAsync(this.#view, 0, seen);
      if (wait.async) await wait.value;
    }
  }
}

/** The URL of a fixture module. */
export function fixture(name: string): URL {
  return new URL(`../fixtures/${name}`, import.meta.url);
}

/**
 * The transport these tests run over: `ring` (the default), or what
 * TIDEMARK_TEST_TRANSPORT says; `test/task/` runs every behaviour test again over `task`.
 */
export const transport = (process.env.TIDEMARK_TEST_TRANSPORT === 'task' ? 'task' : 'ring') as 'ring' | 'task';
