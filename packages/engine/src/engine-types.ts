import type { ConcurrencyChange } from './concurrency/gradient-controller.js';
import type { MessageTrace } from './run/message-state.js';

/** Options of one {@link Engine.process} call. */
export interface ProcessOptions {
  /** Aborting stops reading the source; what is in flight completes and is still yielded. */
  signal?: AbortSignal;
}

/** Options of one {@link Engine.processChunks} call. */
export interface ChunkOptions extends ProcessOptions {
  /** The most messages whose records one chunk holds. @default 1024 */
  size?: number;
  /**
   * Whether an array the source yields is a chunk of that many records;
   * `false` reads it as one (invalid) record, as `process()` does.
   * @default true
   */
  sourceChunks?: boolean;
  /**
   * Ack a chunk's messages when the consumer asks for the chunk after the
   * next one, not the next: for a consumer that fetches a chunk while it
   * still handles the one before (a remote engine's host does). When
   * nothing is left but the chunk in the consumer's hands, an empty chunk
   * says so: the ask after it acks that chunk and ends the run.
   * @default false
   */
  pipelined?: boolean;
}

/** Events of an {@link Engine}. */
export interface EngineEvents {
  /** The output watermark rose to `value`. No later output has an event time below it unless it is `late`. */
  watermark: [value: number];
  /**
   * A message was acked: the consumer took all its outputs, or a full
   * buffer's overflow policy dropped it (`trace.stage === 'dropped'`, with
   * `trace.overflow` naming the buffer and policy). `trace` is its final state.
   */
  ack: [trace: MessageTrace];
  /**
   * The adaptive controller moved the in-flight target (only with
   * `concurrency: { min, max }`): `change.from` to `change.to`, why
   * (`change.reason`), and the signals it judged by.
   */
  concurrency: [change: ConcurrencyChange];
}
