import type { SerializedError } from '@tidemark/workers';
import type { MessageState } from '../run/message-state.js';

/**
 * Called once per send with its outcome. Before calling, the transport has
 * set the state's `startedAt`, `endedAt`, `threadId` and, on success,
 * `values`. `failure` is the transform's error (or the worker's death);
 * `requeue` means the message never started (its worker died first) and
 * should go out again without counting a try.
 */
export type Completion = (state: MessageState, failure: SerializedError | undefined, requeue?: boolean) => void;

/**
 * How messages reach the worker pool: one piscina task per message
 * (`TaskTransport`), or shared-memory rings served by one long-lived task
 * per worker (`RingTransport`).
 */
export interface Transport {
  /** Start the workers and check that the transform module loads (idempotent). */
  start(): Promise<void>;
  /** Send one message to a worker. */
  send(state: MessageState, done: Completion): void;
  /** Wait for what is running, then stop the workers. */
  close(): Promise<void>;
  /** Worker threads holding at least one message now. */
  readonly busyWorkers: number;
  /** Workers that died and were replaced so far. */
  readonly restarts: number;
}
