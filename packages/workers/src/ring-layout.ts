import type { MessagePort } from 'node:worker_threads';
/**
 * The byte layouts shared by the engine and the ring worker.
 *
 * Input record (engine → worker):
 *   u32 slot │ u8 value tag │ u8 0 │ u16 key bytes (0xffff: no key) │ key utf8 │ value
 * Output record (worker → engine):
 *   u32 slot │ u8 status │ u8 value tag │ u16 0 │ value
 *   status 0: one output; 1: several (the value is the array, v8-encoded);
 *   2: the transform failed (the value is the serialized error, JSON).
 *
 * Processing table: one row of 8 float64 (a 64-byte cache line) per slot,
 * written by the engine when it dispatches and by the worker when it starts
 * and ends, so either side (and the engine after the worker died) can see
 * which messages a worker holds and which it had started.
 */
export const INPUT_HEADER = 8;
export const OUTPUT_HEADER = 8;
export const NO_KEY = 0xffff;

export const Status = { value: 0, values: 1, error: 2 } as const;

export const SLOT_FIELDS = 8;
export const Field = { offset: 0, eventTime: 1, attempt: 2, stage: 3, startedAt: 4, endedAt: 5 } as const;
export const SlotStage = { free: 0, dispatched: 1, processing: 2, completed: 3 } as const;

/** The long-lived task that makes a worker serve its rings. */
export interface ServeRequest {
  readonly kind: 'serve';
  readonly transform: string;
  /** ms a try may take; 0 for no limit. */
  readonly timeout: number;
  /** Main → worker records. */
  readonly input: SharedArrayBuffer;
  /** Worker → main records. */
  readonly output: SharedArrayBuffer;
  /** The main thread's doorbell, shared by every worker's output ring. */
  readonly bell: SharedArrayBuffer;
  /** The processing table, `slots * SLOT_FIELDS` float64. */
  readonly table: SharedArrayBuffer;
  /** Int32 words: [0] stop requested, [1] worker ready, [2] worker threadId, [3] slot + 1 running synchronously now (0: none). */
  readonly control: SharedArrayBuffer;
  /** For values too large for a ring, in both directions. */
  readonly port: MessagePort;
}

/** Words of {@link ServeRequest.control}. */
export const Control = { stop: 0, ready: 1, threadId: 2, running: 3 } as const;

/**
 * A message sent over the port instead of the ring: encoded (`tag` and
 * `payload`) when too large for the ring, or as is (`tag` is
 * {@link CLONED}) when the codec cannot encode it, as with a value holding
 * a SharedArrayBuffer, which structured clone shares rather than copies.
 */
export interface PortRecord {
  readonly slot: number;
  /** Input: the key. */
  readonly key?: string | undefined;
  /** Output: the status. */
  readonly status?: number;
  readonly tag: number;
  readonly payload: ArrayBuffer | undefined;
  readonly value?: unknown;
}

/** The tag of a {@link PortRecord} whose `value` travels by structured clone. */
export const CLONED = -1;
