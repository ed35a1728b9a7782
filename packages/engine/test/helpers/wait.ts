import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { EngineRecord, SourceRecord } from '../../src/index.js';
import { within as withinMs } from '../../src/workload/within.js';

/**
 * How long a test waits for something the scenario guarantees before it
 * fails saying what it waited for. A bound on a hang, never a timing check:
 * a healthy run meets every wait long before it.
 */
export const WAIT_LIMIT_MS = 30_000;

/** Fails with `what` if `promise` has not settled within `ms`. */
export function within<T>(promise: Promise<T>, what: string, ms = WAIT_LIMIT_MS): Promise<T> {
  return withinMs(promise, what, ms);
}

/**
 * Lets the event loop turn until `ready()` holds: a condition, not a clock.
 * Fails with `what` (and `state()`, when given) if it has not held within `ms`.
 */
export async function until(ready: () => boolean, what: string, state?: () => unknown, ms = WAIT_LIMIT_MS): Promise<void> {
  const deadline = performance.now() + ms;
  for (let turn = 0; !ready(); turn++) {
    if (performance.now() > deadline) {
      const seen = state === undefined ? '' : `; state: ${JSON.stringify(state())}`;
      throw new Error(`still waiting after ${ms} ms for ${what}${seen}`);
    }
    // The first turns see what the engine does next; after that, look less
    // often so that a long wait does not take a core from the workers.
    await (turn < 1000 ? nextTurn() : sleep(2));
  }
}

/** Every record `engine` gives for `source`, within a bound (a wedged run fails the test, naming `what`). */
export async function recordsOf(
  engine: { process(source: Iterable<SourceRecord> | AsyncIterable<SourceRecord>): AsyncIterable<EngineRecord> },
  source: Iterable<SourceRecord> | AsyncIterable<SourceRecord>,
  what = 'the run to end',
): Promise<EngineRecord[]> {
  const records: EngineRecord[] = [];
  await within(
    (async () => {
      for await (const record of engine.process(source)) records.push(record);
    })(),
    what,
  );
  return records;
}
