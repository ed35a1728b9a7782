import type { EngineRecord } from '../message.js';
import { failedRecord, outputRecord } from './message-state.js';
import type { MessageState } from './message-state.js';
import type { Run } from './run.js';
import type { RunHooks } from './run-hooks.js';

/**
 * A run's records in chunks, as KafkaJS's `eachBatch` beside `eachMessage`:
 * every record ready when the consumer asks, from at most `size` messages
 * (a message's outputs stay in one chunk; a chunk is never empty). The
 * messages of a chunk are acked together when the consumer asks for the
 * next chunk; `pipelined`, when it asks for the one after (a consumer that
 * fetches a chunk while it still handles the one before), and when nothing
 * is left but the chunk in its hands, an empty chunk says so.
 */
export async function* chunks(run: Run, hooks: RunHooks, size: number, pipelined = false): AsyncGenerator<EngineRecord[], void, undefined> {
  try {
    await run.open(hooks);
    const stats = run.tracker.stats;
    let taken: MessageState[] = [];
    /** With `pipelined`, the chunk before: acked at the ask after next. */
    let previous: MessageState[] = [];
    for (;;) {
      let state = run.take();
      if (state === undefined) {
        if (run.over) break;
        if (previous.length > 0 && run.overBut(previous.length)) {
          // Only the chunk in the consumer's hands is left: an empty chunk says so, and the ask after it acks that chunk.
          yield [];
          for (const done of previous) run.ack(done);
          previous = [];
          continue;
        }
        await run.ready();
        continue;
      }
      const chunk: EngineRecord[] = [];
      while (state !== undefined) {
        taken.push(state);
        if (state.error !== undefined) {
          chunk.push(failedRecord(state, state.error));
        } else {
          for (const value of state.values) chunk.push(outputRecord(state, value));
          stats.emitted += state.values.length;
        }
        state = taken.length < size ? run.take() : undefined;
      }
      // Messages without outputs (dropped by the transform) make no chunk of their own, and,
      // having nothing to hand over, are acked at once: the chunk in the consumer's hands stays.
      if (chunk.length === 0) {
        for (const done of taken) run.ack(done);
        taken.length = 0;
        continue;
      }
      yield chunk;
      if (pipelined) {
        for (const done of previous) run.ack(done);
        previous = taken;
        taken = [];
      } else {
        for (const done of taken) run.ack(done);
        taken.length = 0;
      }
    }
    for (const done of previous) run.ack(done);
    await run.ended();
  } finally {
    run.close(hooks);
  }
}
