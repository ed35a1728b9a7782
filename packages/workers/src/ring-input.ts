import { Buffer } from 'node:buffer';
import { TooDeep, codecError, decodeValue, isTooDeep } from './codec.js';
import { CLONED, INPUT_HEADER, NO_KEY } from './ring-record-format.js';
import type { PortRecord } from './ring-record-format.js';
import { RecordReader } from './ring-record-reader.js';
import { RecordWriter } from './ring-record-writer.js';

/** The main thread's end of a worker's input ring: one record per message sent. */
export class InputWriter extends RecordWriter {
  /**
   * Send the message in `slot`: into the ring, published with the others
   * written in this turn, or over the port when it does not fit the ring
   * now or the codec cannot encode it. Throws what `postMessage` throws
   * when not even structured clone can send it (a function, say), and a
   * ValueTooDeepError when the value is nested too deeply to be sent.
   */
  write(slot: number, key: string | undefined, value: unknown): void {
    const encoder = this.encoder;
    let size: number;
    try {
      size = encoder.measure(value);
    } catch (error) {
      // Too deep for the serializer: structured clone, no deeper, could not send it either.
      if (isTooDeep(error)) throw codecError(error, TooDeep.inputToSend);
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
    try {
      this.post(record);
    } catch (error) {
      throw codecError(error, TooDeep.inputToSend);
    }
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
export class InputReader extends RecordReader {
  /** The record last read: its slot, key and value, or why its value could not be read (then `value` is undefined). */
  slot = 0;
  key: string | undefined = undefined;
  value: unknown = undefined;
  error: unknown = undefined;

  /** Read the next record into `slot`, `key` and `value` (or `error`) and free its bytes; false when the ring is empty. */
  next(): boolean {
    const ring = this.ring;
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
      this.key = this.bytes.toString('utf8', position, position + keyLength);
      position += keyLength;
    }
    try {
      this.value = decodeValue(tag, this.bytes, position, end - position);
      this.error = undefined;
    } catch (error) {
      // Caught right at the read, where the stack the deserializer ran out of is free again.
      this.#unreadable(error);
    }
    ring.release();
    return true;
  }

  /** Read a record that came over the port instead. */
  /**
   * Take a message that came over the port: true when it completed a record
   * (read into `slot`, `key` and `value` or `error`), false when it was the
   * value of the one to come.
   */
  fromPort(message: unknown): boolean {
    if (this.stash(message)) return false;
    const record = message as PortRecord;
    this.slot = record.slot;
    this.key = record.key;
    try {
      this.value = this.valueOf(record);
      this.error = undefined;
    } catch (error) {
      this.#unreadable(error);
    }
    return true;
  }

  #unreadable(error: unknown): void {
    this.value = undefined;
    this.error = codecError(error, TooDeep.inputToRead);
  }
}
