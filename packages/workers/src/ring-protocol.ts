import type { MessagePort } from 'node:worker_threads';
import { ValueEncoder, decodeValue } from './codec.js';
import { isOutputs } from './outputs.js';
import type { SerializedError } from './protocol.js';
import type { Ring } from './ring.js';
import { serializeError } from './serialize-error.js';

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

/** The value a port record carries. */
export function portValue(record: PortRecord): unknown {
  if (record.tag === CLONED) return record.value;
  const bytes = Buffer.from(record.payload ?? new ArrayBuffer(0));
  return decodeValue(record.tag, bytes, 0, bytes.byteLength);
}

/** The producer's side of one ring: the codec, the port fallback and the batched commit. */
abstract class RecordWriter {
  protected readonly ring: Ring;
  protected readonly bytes: Buffer;
  protected readonly encoder = new ValueEncoder();
  readonly #port: RecordPort;
  #committing = false;
  readonly #commit = (): void => {
    this.#committing = false;
    this.ring.commit();
  };

  constructor(ring: Ring, port: RecordPort) {
    this.ring = ring;
    this.bytes = Buffer.from(ring.buffer, ring.bytes.byteOffset, ring.capacity);
    this.#port = port;
  }

  /** Publish every record written so far now, and wake the reader if it sleeps. */
  commit(): void {
    this.ring.commit();
  }

  /**
   * A record was written. One commit for all those written in this turn: a
   * commit may wake the other thread, and a wake-up costs far more than a record.
   */
  protected written(): void {
    if (!this.#committing) {
      this.#committing = true;
      queueMicrotask(this.#commit);
    }
  }

  /** Send `record` over the port, transferring its payload; throws when structured clone cannot. */
  protected post(record: PortRecord): void {
    this.#port.postMessage(record, record.payload === undefined ? [] : [record.payload]);
  }
}

/** The main thread's end of a worker's input ring: one record per message sent. */
export class InputWriter extends RecordWriter {
  /**
   * Send the message in `slot`: into the ring, published with the others
   * written in this turn, or over the port when it does not fit the ring
   * now or the codec cannot encode it. Throws what `postMessage` throws
   * when not even structured clone can send it (a function, say).
   */
  write(slot: number, key: string | undefined, value: unknown): void {
    const encoder = this.encoder;
    let size: number;
    try {
      size = encoder.measure(value);
    } catch {
      // Not encodable (a SharedArrayBuffer inside, say): structured clone shares or copies it.
      this.#post({ slot, key, tag: CLONED, payload: undefined, value });
      return;
    }
    const keyLength = key === undefined ? 0 : Buffer.byteLength(key);
    const total = INPUT_HEADER + keyLength + size;
    const ring = this.ring;
    const at = total <= ring.maxRecord && fitsHeader(key, keyLength) ? ring.reserve(total) : -1;
    if (at === -1) {
      this.#post({ slot, key, tag: encoder.tag, payload: encoder.toBuffer(size).buffer as ArrayBuffer });
      return;
    }
    const view = ring.view;
    view.setUint32(at, slot, true);
    view.setUint8(at + 4, encoder.tag);
    view.setUint8(at + 5, 0);
    view.setUint16(at + 6, key === undefined ? NO_KEY : keyLength, true);
    if (key !== undefined && keyLength > 0) this.bytes.write(key, at + INPUT_HEADER, keyLength, 'utf8');
    encoder.write(this.bytes, at + INPUT_HEADER + keyLength, size);
    this.written();
  }

  #post(record: PortRecord): void {
    this.post(record);
    // A worker with nothing running blocks on its input ring: wake it to read its port.
    this.ring.commit();
  }
}

/**
 * True when the record can carry `key`: NO_KEY is the largest u16, so a key
 * that long could not be told from none, and UTF-8 would turn a lone
 * surrogate into U+FFFD (the port keeps both).
 */
function fitsHeader(key: string | undefined, length: number): boolean {
  return key === undefined || (length < NO_KEY && key.isWellFormed());
}

/** The worker's end of its input ring. */
export class InputReader {
  /** The record last read: its slot, key and value. */
  slot = 0;
  key: string | undefined = undefined;
  value: unknown = undefined;
  readonly #ring: Ring;
  readonly #bytes: Buffer;

  constructor(ring: Ring) {
    this.#ring = ring;
    this.#bytes = Buffer.from(ring.buffer, ring.bytes.byteOffset, ring.capacity);
  }

  /** Read the next record into `slot`, `key` and `value` and free its bytes; false when the ring is empty. */
  next(): boolean {
    const ring = this.#ring;
    const at = ring.next();
    if (at === -1) return false;
    const end = at + ring.length;
    const view = ring.view;
    this.slot = view.getUint32(at, true);
    const tag = view.getUint8(at + 4);
    const keyLength = view.getUint16(at + 6, true);
    let position = at + INPUT_HEADER;
    if (keyLength === NO_KEY) {
      this.key = undefined;
    } else {
      this.key = this.#bytes.toString('utf8', position, position + keyLength);
      position += keyLength;
    }
    this.value = decodeValue(tag, this.#bytes, position, end - position);
    ring.release();
    return true;
  }

  /** Read a record that came over the port instead. */
  fromPort(record: PortRecord): void {
    this.slot = record.slot;
    this.key = record.key;
    this.value = portValue(record);
  }
}

/** The worker's end of its output ring: one record per try. */
export class OutputWriter extends RecordWriter {
  /**
   * Report the try of `slot` done with the transform's `result`: a plain
   * value is one output, `drop()` and `fanOut()` their values. A result
   * that structured clone cannot send either fails the try.
   */
  writeResult(slot: number, result: unknown): void {
    if (!isOutputs(result)) this.#write(slot, Status.value, result);
    else if (result.values.length === 1) this.#write(slot, Status.value, result.values[0]);
    else this.#write(slot, Status.values, result.values);
  }

  /** Report the try of `slot` failed with `error`. */
  writeError(slot: number, error: SerializedError): void {
    this.#write(slot, Status.error, JSON.stringify(error));
  }

  #write(slot: number, status: number, value: unknown): void {
    const encoder = this.encoder;
    let size: number;
    try {
      size = encoder.measure(value);
    } catch {
      // Not encodable (a SharedArrayBuffer inside, say): structured clone handles it, or says why not.
      this.#post(status, { slot, status, tag: CLONED, payload: undefined, value });
      return;
    }
    const ring = this.ring;
    const total = OUTPUT_HEADER + size;
    if (total > ring.maxRecord) {
      this.#post(status, { slot, status, tag: encoder.tag, payload: encoder.toBuffer(size).buffer as ArrayBuffer });
      return;
    }
    let at = ring.reserve(total);
    while (at === -1) {
      // The main thread reads outputs as they come; it is only ever briefly
      // behind, but it cannot read what has not been committed.
      ring.commit();
      ring.waitForRoomSync(total);
      at = ring.reserve(total);
    }
    const view = ring.view;
    view.setUint32(at, slot, true);
    view.setUint8(at + 4, status);
    view.setUint8(at + 5, encoder.tag);
    view.setUint16(at + 6, 0, true);
    encoder.write(this.bytes, at + OUTPUT_HEADER, size);
    this.written();
  }

  #post(status: number, record: PortRecord): void {
    try {
      this.post(record);
    } catch (error) {
      // An error record is a string: structured clone cannot fail on it.
      if (status === Status.error) throw error;
      this.writeError(record.slot, serializeError(error));
    }
  }
}

/** The main thread's end of a worker's output ring. */
export class OutputReader {
  /** The record last read: the slot of its message, and its outputs or its error (the other undefined). */
  slot = 0;
  values: unknown[] | undefined = undefined;
  error: SerializedError | undefined = undefined;
  readonly #ring: Ring;
  readonly #bytes: Buffer;

  constructor(ring: Ring) {
    this.#ring = ring;
    this.#bytes = Buffer.from(ring.buffer, ring.bytes.byteOffset, ring.capacity);
  }

  /** Read the next record into `slot` and `values` or `error` and free its bytes; false when the ring is empty. */
  next(): boolean {
    const ring = this.#ring;
    const at = ring.next();
    if (at === -1) return false;
    const view = ring.view;
    const slot = view.getUint32(at, true);
    const status = view.getUint8(at + 4);
    const tag = view.getUint8(at + 5);
    const value = decodeValue(tag, this.#bytes, at + OUTPUT_HEADER, ring.length - OUTPUT_HEADER);
    ring.release();
    this.#take(slot, status, value);
    return true;
  }

  /** Read a record that came over the port instead. */
  fromPort(record: PortRecord): void {
    this.#take(record.slot, record.status ?? Status.value, portValue(record));
  }

  #take(slot: number, status: number, value: unknown): void {
    this.slot = slot;
    if (status === Status.error) {
      this.values = undefined;
      this.error = parseError(value as string);
    } else {
      this.values = status === Status.values ? (value as unknown[]) : [value];
      this.error = undefined;
    }
  }
}

/** JSON drops `undefined` fields: name each one again. */
function parseError(text: string): SerializedError {
  const { name, code, message, stack } = JSON.parse(text) as SerializedError;
  return { name, code, message, stack };
}
