import type { Worker } from 'node:worker_threads';

/** A worker's event loop so far: ms idle, ms active, and ms of the active time it spent blocked waiting for work. */
interface Reading {
  readonly idle: number;
  readonly active: number;
  readonly blocked: number;
}

/**
 * The workers' event-loop utilisation between one {@link sample} and the
 * next, read from the main thread with `worker.performance.eventLoopUtilization()`:
 * the share of a worker's time spent running code rather than waiting for
 * work, averaged over the workers.
 *
 * - A worker's first reading is its baseline: a worker seen for the first
 *   time (the first call, or a replacement for one that died or was
 *   terminated) counts from the next call on. A call with no worker that
 *   had a baseline returns undefined, so the first call always does.
 * - `blocked(worker)`: ms the worker has spent so far in a sync wait for
 *   work (a ring worker's `Atomics.wait` with nothing running), which its
 *   event loop counts as active time; it is taken out of the active time.
 * - Undefined where the runtime does not measure a worker's event loop
 *   (`worker.performance` missing, as it may be on Bun or Deno): never throws.
 */
export class WorkerUtilization {
  readonly #workers: () => readonly Worker[];
  readonly #blocked: (worker: Worker) => number;
  readonly #previous = new Map<Worker, Reading>();

  /** `workers`: the live workers now; `blocked`: ms a worker has spent blocked waiting for work so far (none by default). */
  constructor(workers: () => readonly Worker[], blocked: (worker: Worker) => number = () => 0) {
    this.#workers = workers;
    this.#blocked = blocked;
  }

  /** The utilisation since the last call, 0 to 1, averaged over the workers seen then and now; undefined as described above. */
  sample(): number | undefined {
    const workers = this.#workers();
    let sum = 0;
    let counted = 0;
    for (const worker of workers) {
      const loop = readLoop(worker);
      if (loop === undefined) return undefined;
      const blocked = this.#blocked(worker);
      const reading: Reading = { idle: loop.idle, active: loop.active, blocked: Number.isFinite(blocked) ? blocked : 0 };
      const before = this.#previous.get(worker);
      this.#previous.set(worker, reading);
      if (before === undefined) continue;
      const share = utilizationBetween(before, reading);
      if (share === undefined) continue;
      sum += share;
      counted++;
    }
    if (this.#previous.size > workers.length) {
      const live = new Set(workers);
      for (const worker of this.#previous.keys()) if (!live.has(worker)) this.#previous.delete(worker);
    }
    return counted === 0 ? undefined : sum / counted;
  }
}

/**
 * The utilisation between two readings of one worker, or undefined when no
 * time passed in its loop (it had not started it yet, or it has exited,
 * when Node reads all zeros).
 */
function utilizationBetween(before: Reading, after: Reading): number | undefined {
  const elapsed = after.idle + after.active - (before.idle + before.active);
  if (!(elapsed > 0)) return undefined;
  // Node reads idle and active a moment apart: an idle loop's active time
  // can step back a little, a busy one's idle time too.
  const active = clamp(after.active - before.active, 0, elapsed);
  // So is the blocked time from the loop's: never more than the active time.
  const blocked = clamp(after.blocked - before.blocked, 0, active);
  return (active - blocked) / elapsed;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

/** The worker's loop times so far, or undefined where the runtime does not measure them. */
function readLoop(worker: Worker): { idle: number; active: number } | undefined {
  try {
    const performance = (worker as Partial<Pick<Worker, 'performance'>>).performance;
    const read = performance?.eventLoopUtilization;
    if (typeof read !== 'function') return undefined;
    const { idle, active } = read.call(performance) as Partial<Record<'idle' | 'active', unknown>>;
    return typeof idle === 'number' && typeof active === 'number' && Number.isFinite(idle) && Number.isFinite(active) ? { idle, active } : undefined;
  } catch {
    return undefined;
  }
}
