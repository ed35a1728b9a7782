import type { TestContext } from 'node:test';
import { Engine } from '../../src/index.js';
import type { EngineOptions } from '../../src/index.js';
import type { TestTransport } from './transports.js';
import { WAIT_LIMIT_MS, within } from './wait.js';

/**
 * Shared-memory gates for the `gated.js` fixture. Layout, in Int32 slots:
 *
 *   [0]                 tries started, all messages
 *   [1 .. count]        gate of message i at i + 1 (0 closed, 1 open)
 *   [count + 1 .. 2c]   tries started of message i at count + 1 + i
 *
 * The test opens gates to choose the order in which messages complete and
 * reads which messages have started; nothing waits on a clock. Every wait
 * is bounded and fails saying what it waited for.
 */
export class Gates {
  readonly buffer: SharedArrayBuffer;
  readonly count: number;
  readonly #view: Int32Array;

  constructor(count: number) {
    this.count = count;
    this.buffer = new SharedArrayBuffer(4 * (2 * count + 1));
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

  /** Whether message `index`'s gate is open. */
  isOpen(index: number): boolean {
    return Atomics.load(this.#view, index + 1) === 1;
  }

  /** Tries started in a worker so far, all messages together. */
  get startedCount(): number {
    return Atomics.load(this.#view, 0);
  }

  /** Tries of message `index` started in a worker so far. */
  tries(index: number): number {
    return Atomics.load(this.#view, this.count + 1 + index);
  }

  /** Resolves once at least `count` tries have started in a worker; rejects after `ms`. */
  async started(count: number, ms = WAIT_LIMIT_MS): Promise<void> {
    const deadline = performance.now() + ms;
    for (;;) {
      const seen = Atomics.load(this.#view, 0);
      if (seen >= count) return;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`still waiting after ${ms} ms for ${count} tries to start; ${seen} have`);
      const wait = Atomics.waitAsync(this.#view, 0, seen, left);
      if (wait.async) await wait.value;
    }
  }
}

/** The URL of a fixture module. */
export function fixture(name: string): URL {
  return new URL(`../fixtures/${name}`, import.meta.url);
}

/**
 * An engine over the `gated.js` fixture on `transport`, closed after the
 * test with every gate opened first, so that `close()` can drain what the
 * workers hold even when the test failed halfway.
 */
export function gatedEngine(
  t: TestContext,
  transport: TestTransport,
  gates: Gates,
  options: Omit<EngineOptions, 'transport' | 'transform'>,
): Engine {
  const engine = new Engine({ transport, transform: fixture('gated.js'), ...options });
  t.after(() => {
    for (let i = 0; i < gates.count; i++) gates.open(i);
    return within(engine.close(), 'the engine to close');
  });
  return engine;
}
