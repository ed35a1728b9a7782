import { Buffer } from 'node:buffer';
import type { MessagePort } from 'node:worker_threads';
import { decodeValue } from './codec.js';

/**
 * The ring protocol: the records that carry messages through one worker's
 * two rings, written and read here for both directions, so that the main
 * thread's client (ring-client.ts) and the worker's server (ring-serve.ts)
 * share one byte layout. Integers are little-endian.
 *
 *   input record (main → worker), one per message sent:
 *   ┌──────────┬────────┬──────┬────────────────┬──────────┬───────┐
 *   │ u32 slot │ u8 tag │ u8 0 │ u16 key length │ key utf8 │ value │
 *   └──────────┴────────┴──────┴────────────────┴──────────┴───────┘
 *     key length NO_KEY (0xffff): no key (0 is the empty key)
 *
 *   output record (worker → main), one per try:
 *   ┌──────────┬───────────┬────────┬───────┬───────┐
 *   │ u32 slot │ u8 status │ u8 tag │ u16 0 │ value │
 *   └──────────┴───────────┴────────┴───────┴───────┘
 *     status value:  one output (the value)
 *            values: none or several (the value is their array)
 *            error:  the try failed (the value is the serialized error, JSON)
 *
 * The value is laid out by the codec (codec.ts) under its tag. The slot
 * names the message; what else the worker needs to know of it (offset,
 * event time, attempt) is in the processing table (ring-layout.ts). A record
 * the ring cannot carry goes over the worker's MessagePort as a
 * {@link PortRecord}: encoded when too large for the ring, when its key
 * does not fit the header, or (from the main thread, which never waits)
 * when the ring has no room now; as is, by structured clone, when the codec
 * cannot encode the value.
 */

/** Bytes before an input record's key. */
export const INPUT_HEADER = 8;
/** Bytes before an output record's value. */
export const OUTPUT_HEADER = 8;
/** An input record's key length when the message has no key. */
export const NO_KEY = 0xffff;

/** What an output record's value is. */
export const Status = { value: 0, values: 1, error: 2 } as const;

/**
 * A record sent over the port instead of the ring: encoded (`tag` and
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

/** Where a writer sends what its ring cannot carry: the worker's MessagePort (tests pass a stand-in). */
export type RecordPort = Pick<MessagePort, 'postMessage'>;

/** The value a port record carries; throws what the codec's `decodeValue` throws. */
export function portValue(record: PortRecord): unknown {
  if (record.tag === CLONED) return record.value;
  const bytes = record.payload === undefined ? noBytes : Buffer.from(record.payload);
  return decodeValue(record.tag, bytes, 0, bytes.byteLength);
}

const noBytes = Buffer.alloc(0);
