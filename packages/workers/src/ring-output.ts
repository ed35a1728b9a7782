import { TooDeep, codecError, decodeValue, isTooDeep } from './codec.js';
import { isOutputs } from './outputs.js';
import { jsonParse, jsonStringify } from './primordials.js';
import type { SerializedError } from './protocol.js';
import { CLONED, OUTPUT_HEADER, Status } from './ring-record-format.js';
import type { PortRecord } from './ring-record-format.js';
import { RecordReader } from './ring-record-reader.js';
import { RecordWriter } from './ring-record-writer.js';
import { serializeError } from './serialize-error.js';

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
    this.#write(slot, Status.error, jsonStringify(error));
  }

  #write(slot: number, status: number, value: unknown): void {
    const encoder = this.encoder;
    let size: number;
    try {
      size = encoder.measure(value);
    } catch (error) {
      // Too deep for the serializer: structured clone, no deeper, could not
      // send it either, or the main thread could not read it.
      if (isTooDeep(error)) {
        this.writeError(slot, serializeError(codecError(error, TooDeep.outputToSend)));
        return;
      }
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
      this.writeError(record.slot, serializeError(codecError(error, TooDeep.outputToSend)));
    }
  }
}

/** The main thread's end of a worker's output ring. */
export class OutputReader extends RecordReader {
  /** The record last read: the slot of its message, and its outputs or its error (the other undefined). */
  slot = 0;
  values: unknown[] | undefined = undefined;
  error: SerializedError | undefined = undefined;

  /** Read the next record into `slot` and `values` or `error` and free its bytes; false when the ring is empty. */
  next(): boolean {
    const ring = this.ring;
    const at = ring.next();
    if (at === -1) return false;
    const view = ring.view;
    const slot = view.getUint32(at, true);
    const status = view.getUint8(at + 4);
    const tag = view.getUint8(at + 5);
    let value: unknown;
    try {
      value = decodeValue(tag, this.bytes, at + OUTPUT_HEADER, ring.length - OUTPUT_HEADER);
    } catch (error) {
      // Caught right at the read, where the stack the deserializer ran out of is free again.
      ring.release();
      this.#unreadable(slot, error);
      return true;
    }
    ring.release();
    this.#take(slot, status, value);
    return true;
  }

  /**
   * Take a message that came over the port: true when it completed a record
   * (read into `slot` and `values` or `error`), false when it was the value
   * of the one to come.
   */
  fromPort(message: unknown): boolean {
    if (this.stash(message)) return false;
    const record = message as PortRecord;
    let value: unknown;
    try {
      value = this.valueOf(record);
    } catch (error) {
      this.#unreadable(record.slot, error);
      return true;
    }
    this.#take(record.slot, record.status ?? Status.value, value);
    return true;
  }

  /** The try of `slot` fails: its output could not be read (`error`, thrown by the deserializer). */
  #unreadable(slot: number, error: unknown): void {
    this.slot = slot;
    this.values = undefined;
    this.error = serializeError(codecError(error, TooDeep.outputToRead));
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
  const { name, code, message, stack } = jsonParse(text) as SerializedError;
  return { name, code, message, stack };
}

