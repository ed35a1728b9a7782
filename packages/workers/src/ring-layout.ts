import type { MessagePort } from 'node:worker_threads';

/**
 * The shared memory of one worker's rings beside the rings themselves (the
 * records in them are ring-protocol.ts's).
 *
 * Processing table: one row of SLOT_FIELDS float64 (a 64-byte cache line)
 * per slot, written by the main thread when it sends a message (offset,
 * event time, attempt; stage dispatched) and by the worker when the message
 * starts and ends, so that either side, and the main thread after the
 * worker died, can see which messages a worker holds and which it had
 * started. Only the main thread frees a row.
 *
 *   ┌────────┬───────────┬─────────┬───────┬───────────┬─────────┬───────┬───────┐
 *   │ offset │ eventTime │ attempt │ stage │ startedAt │ endedAt │ spare │ spare │
 *   └────────┴───────────┴─────────┴───────┴───────────┴─────────┴───────┴───────┘
 */

/** Float64 fields per slot of the processing table. */
export const SLOT_FIELDS = 8;
/** Fields of a processing table row. */
export const Field = { offset: 0, eventTime: 1, attempt: 2, stage: 3, startedAt: 4, endedAt: 5 } as const;
/** Values of {@link Field.stage}. */
export const SlotStage = { free: 0, dispatched: 1, processing: 2, completed: 3 } as const;

/** The long-lived task that makes a worker serve its rings. */
export interface ServeRequest {
  readonly kind: 'serve';
  readonly transform: string;
  /** ms a try may take; 0 for no limit. */
  readonly timeout: number;
  /**
   * The most transforms the worker runs at once (0: no limit). The engine
   * may send one message more than that (the lookahead): it waits in the
   * input ring and starts the moment a running one ends, so that the worker
   * never idles while the engine's main thread handles the result.
   */
  readonly running: number;
  /** Main → worker records. */
  readonly input: SharedArrayBuffer;
  /** Worker → main records. */
  readonly output: SharedArrayBuffer;
  /** The main thread's doorbell, shared by every worker's output ring. */
  readonly bell: SharedArrayBuffer;
  /** The processing table, `slots * SLOT_FIELDS` float64. */
  readonly table: SharedArrayBuffer;
  /**
   * {@link CONTROL_WORDS} Int32 words: [0] stop requested, [1] worker ready,
   * [2] worker threadId, [3] slot + 1 running synchronously now (0: none),
   * [4..7] the time the worker has spent blocked waiting for input
   * (ring-blocked-time.ts).
   */
  readonly control: SharedArrayBuffer;
  /** For records the rings cannot carry, in both directions. */
  readonly port: MessagePort;
}

/** Words of {@link ServeRequest.control}. */
export const Control = { stop: 0, ready: 1, threadId: 2, running: 3, blockedSequence: 4, waitingSince: 5, blockedLow: 6, blockedHigh: 7 } as const;
/** Int32 words of {@link ServeRequest.control}. */
export const CONTROL_WORDS = 8;
