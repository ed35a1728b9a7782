import { now } from './clock.js';
import { Control } from './ring-layout.js';
import type { Ring } from './ring.js';
import { SafeAtomics } from './primordials.js';

/**
 * The time a ring worker spends blocked in a sync `Atomics.wait` for input
 * (ring-serve.ts's wait with nothing running), both ends in one module.
 * An event loop counts a sync wait as active time, so an idle ring worker
 * reads as ~100% busy in `worker.performance.eventLoopUtilization()`; the
 * main thread takes this time out of the loop's active time.
 *
 * Four Int32 words of the worker's control buffer, written by the worker
 * alone, read by the main thread as a sequence lock:
 *
 *   ┌──────────────────┬──────────────┬──────────────┬───────────────┐
 *   │ blockedSequence  │ waitingSince │ blockedLow   │ blockedHigh   │
 *   │ odd: in a wait   │ µs mod 2^32  │ µs mod 2^32  │ µs / 2^32     │
 *   └──────────────────┴──────────────┴──────────────┴───────────────┘
 *
 * `blockedLow`/`blockedHigh`: µs blocked in finished waits, a count that
 * does not wrap for 2^52 µs. `waitingSince`: when the wait in progress
 * began, on the cross-thread clock (clock.ts), in µs modulo 2^32 (compared
 * by unsigned difference: a wait lasts far less than the 71 minutes it
 * wraps in). The worker writes the stamp before it makes the sequence odd,
 * and the count before it makes it even again: a reader that sees the same
 * sequence before and after its reads has a consistent snapshot. Cost per
 * idle wait: two clock reads and four atomic stores.
 */
export class BlockedTime {
  readonly #control: Int32Array;
  #sequence = 0;
  /** µs blocked in finished waits. */
  #micros = 0;

  /** `control`: the worker's control words ({@link Control}). */
  constructor(control: Int32Array) {
    this.#control = control;
  }

  /** Block in `ring.waitForDataSync(timeout)`, counting the time blocked. */
  waitForData(ring: Ring, timeout: number): void {
    const control = this.#control;
    const since = now();
    SafeAtomics.store(control, Control.waitingSince, stamp(since));
    SafeAtomics.store(control, Control.blockedSequence, ++this.#sequence);
    ring.waitForDataSync(timeout);
    const micros = Math.floor((this.#micros += (now() - since) * 1000));
    SafeAtomics.store(control, Control.blockedLow, micros % 2 ** 32 | 0);
    SafeAtomics.store(control, Control.blockedHigh, Math.floor(micros / 2 ** 32));
    SafeAtomics.store(control, Control.blockedSequence, ++this.#sequence);
  }
}

/** Tries at a consistent snapshot before settling for the finished waits alone. */
const readTries = 4;

/**
 * µs the worker whose control words are `control` has spent blocked in its
 * sync wait for input so far, the wait in progress included (as libuv counts
 * an idle poll in progress). Main thread side of {@link BlockedTime}.
 */
export function blockedMicros(control: Int32Array): number {
  let total = 0;
  for (let tries = 0; tries < readTries; tries++) {
    const sequence = SafeAtomics.load(control, Control.blockedSequence);
    const since = SafeAtomics.load(control, Control.waitingSince);
    total = SafeAtomics.load(control, Control.blockedHigh) * 2 ** 32 + (SafeAtomics.load(control, Control.blockedLow) >>> 0);
    if (SafeAtomics.load(control, Control.blockedSequence) !== sequence) continue; // a wait began or ended meanwhile
    if ((sequence & 1) === 0) return total;
    const waited = (stamp(now()) - since) >>> 0;
    // A stamp a little ahead of this thread's clock reads as a huge unsigned difference: none waited yet.
    return waited < 2 ** 31 ? total + waited : total;
  }
  return total;
}

/** `at` (epoch ms) in µs modulo 2^32, as an Int32 word holds it. */
function stamp(at: number): number {
  return Math.floor(at * 1000) % 2 ** 32 | 0;
}
