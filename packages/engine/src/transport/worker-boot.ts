import type { Piscina } from 'piscina';
import { WORKER_LOADED } from '@tidemark/workers';

/** How long `close()` waits for a worker still loading before it closes the pool anyway. */
const patience = 10_000;

/**
 * Which of a pool's worker threads have finished loading their entry module
 * (each posts {@link WORKER_LOADED}). On Node 20 a worker terminated while it
 * is still loading an ES module (piscina `require`s it) can abort the whole
 * process, so a pool is closed only once every thread it holds has loaded:
 * an engine closed right after it was created, or right after a worker was
 * replaced, must not take the process down with it.
 */
export class WorkerBoot {
  readonly #pool: Piscina;
  readonly #loaded = new Set<number>();
  #wake: (() => void) | undefined;

  /** Call right after creating the pool: its first workers cannot have loaded yet. */
  constructor(pool: Piscina) {
    this.#pool = pool;
    pool.on('message', (message: unknown) => {
      const threadId = (message as Record<string, unknown> | null)?.[WORKER_LOADED];
      if (typeof threadId !== 'number') return;
      this.#loaded.add(threadId);
      this.#wake?.();
    });
    // A worker that died while loading (it could not start within its resourceLimits, say) is waited for no more.
    pool.on('workerDestroy', () => this.#wake?.());
  }

  /** Resolves once every thread in the pool has loaded (or after `patience` ms). */
  async settled(): Promise<void> {
    const deadline = performance.now() + patience;
    while (this.#pool.threads.some((thread) => !this.#loaded.has(thread.threadId)) && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - performance.now()));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.#wake = undefined;
  }
}
