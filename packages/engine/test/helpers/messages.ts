import type { MessageState } from '../../src/run/message-state.js';
import { Intake } from '../../src/source/intake.js';
import { MessageIds } from '../../src/run/message-ids.js';

/**
 * Messages as a run makes them (through `Intake`), for unit tests of the
 * buffers, the release queues and the dispatch stage: numbered in read order
 * from seq 0, each weighing the `bytes` a source gave it (the input and
 * processing byte limits), in batch `batch` (-1: async mode).
 */
export function messageMaker(): (input: unknown, options?: { bytes?: number; batch?: number }) => MessageState {
  const intake = new Intake(true, new MessageIds());
  return (input, { bytes = 0, batch = -1 } = {}) => intake.take({ value: input, bytes }, batch);
}
