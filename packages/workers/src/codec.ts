import { Buffer } from 'node:buffer';
import { deserialize, serialize } from 'node:v8';
import {
  SafeDataView,
  SafeRangeError,
  SafeUint8Array,
  isWellFormed,
  stringIncludes,
  uint8ArraySlice,
} from './primordials.js';

/**
 * How a value is laid out as bytes in a ring record (or in a buffer sent by
 * `postMessage` when it is too large for the ring). Bytes and strings are
 * copied straight in; numbers, booleans, null and undefined need no more
 * than their tag; anything else goes through v8's serializer, which has
 * structured-clone semantics, the same as the task transport's.
 */
export const Tag = {
  undefined: 0,
  null: 1,
  true: 2,
  false: 3,
  number: 4,
  string: 5,
  bytes: 6,
  buffer: 7,
  v8: 8,
} as const;

/**
 * A value nested too deeply for v8's serializer, or for its deserializer in
 * the thread that reads it (the stack runs out first, and the main thread's
 * is about a quarter of a worker's): it cannot cross between the two.
 */
export class ValueTooDeepError extends Error {
  override readonly name = 'ValueTooDeepError';
  readonly code = 'ERR_TIDEMARK_VALUE_TOO_DEEP';

  /** Without a message (or with an empty one), the default; {@link TooDeep} has the messages that say where. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message || 'a value is nested too deeply to cross between the main thread and a worker', options);
  }
}

/** What a {@link ValueTooDeepError} says, by which value could not cross where. */
export const TooDeep = {
  inputToSend: 'the input is nested too deeply to be sent to a worker',
  inputToRead: 'the input is nested too deeply to be read in the worker',
  outputToSend: 'the output is nested too deeply to be sent from the worker',
  outputToRead: 'the output is nested too deeply to be read on the main thread',
} as const;

/** Whether `error` is the stack running out (how v8's serializer and deserializer fail on a value nested too deeply). */
export function isTooDeep(error: unknown): error is RangeError {
  return error instanceof SafeRangeError && stringIncludes(error.message, 'call stack');
}

/**
 * What to report for `error`, thrown while encoding or decoding a value: a
 * {@link ValueTooDeepError} with `message` when the stack ran out, else
 * `error` itself (structured clone's own error, a DataCloneError say).
 */
export function codecError(error: unknown, message: string): unknown {
  return isTooDeep(error) ? new ValueTooDeepError(`${message} (${error.message})`, { cause: error }) : error;
}

/** A DataView per backing buffer, made once (rings live long). */
const views = new WeakMap<ArrayBufferLike, DataView>();

function viewOf(bytes: Buffer): DataView {
  const view = new SafeDataView(bytes.buffer);
  views.set(bytes.buffer, view);
  return view;
}

/**
 * Encodes one value at a time without allocating for the common kinds:
 * `measure(value)` picks the tag and size, `write` lays the payload out.
 * One instance per thread and direction; not reentrant between the two calls.
 */
export class ValueEncoder {
  tag = 0;
  #value: unknown;
  #serialized: Buffer | undefined;

  /** The payload size of `value` in bytes; sets {@link tag}. */
  measure(value: unknown): number {
    this.#value = value;
    this.#serialized = undefined;
    switch (typeof value) {
      case 'number':
        this.tag = Tag.number;
        return 8;
      case 'string':
        // A lone surrogate does not survive UTF-8 (it comes back as U+FFFD): v8's serializer keeps it.
        if (!isWellFormed(value)) return this.#serialize(value);
        this.tag = Tag.string;
        return Buffer.byteLength(value);
      case 'boolean':
        this.tag = value ? Tag.true : Tag.false;
        return 0;
      case 'undefined':
        this.tag = Tag.undefined;
        return 0;
      default:
        if (value === null) {
          this.tag = Tag.null;
          return 0;
        }
        if (value instanceof SafeUint8Array) {
          this.tag = Buffer.isBuffer(value) ? Tag.buffer : Tag.bytes;
          return value.byteLength;
        }
        return this.#serialize(value);
    }
  }

  #serialize(value: unknown): number {
    this.tag = Tag.v8;
    this.#serialized = serialize(value);
    return this.#serialized.byteLength;
  }

  /** Write the measured value's payload at `position` of `target` (`size` bytes from `measure`). */
  write(target: Buffer, position: number, size: number): void {
    const value = this.#value;
    switch (this.tag) {
      case Tag.number:
        // DataView, not writeDoubleLE: no argument checks on the hot path.
        (views.get(target.buffer) ?? viewOf(target)).setFloat64(position + target.byteOffset, value as number, true);
        break;
      case Tag.string:
        target.write(value as string, position, size, 'utf8');
        break;
      case Tag.bytes:
      case Tag.buffer:
        target.set(value as Uint8Array, position);
        break;
      case Tag.v8:
        target.set(this.#serialized as Buffer, position);
        break;
      default:
        break;
    }
    this.#value = undefined;
    this.#serialized = undefined;
  }

  /** The measured value as a standalone buffer, for `postMessage` with transfer. */
  toBuffer(size: number): Buffer {
    const owned = Buffer.allocUnsafeSlow(size);
    this.write(owned, 0, size);
    return owned;
  }
}

/**
 * Read a value of `tag` from `length` bytes at `position` of `source`
 * (copied out). Throws what v8's deserializer throws: a RangeError when the
 * value is nested too deeply for this thread's stack (see {@link codecError}).
 */
export function decodeValue(tag: number, source: Buffer, position: number, length: number): unknown {
  switch (tag) {
    case Tag.number:
      return (views.get(source.buffer) ?? viewOf(source)).getFloat64(position + source.byteOffset, true);
    case Tag.string:
      return source.toString('utf8', position, position + length);
    case Tag.true:
      return true;
    case Tag.false:
      return false;
    case Tag.null:
      return null;
    case Tag.undefined:
      return undefined;
    case Tag.bytes: {
      const bytes = copy(source, position, length);
      return new SafeUint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    case Tag.buffer:
      return copy(source, position, length); // a Buffer: slice keeps the source's class
    case Tag.v8:
      // deserialize reads from a copy: the ring's bytes are reused once released.
      return deserialize(copy(source, position, length));
    default:
      throw new TypeError(`unknown value tag ${tag}`);
  }
}

/**
 * A copy in memory of its own, in one allocation. (`Buffer#slice` is a
 * view, and `subarray` then a copy costs two objects.)
 */
function copy(source: Buffer, position: number, length: number): Buffer {
  return uint8ArraySlice(source, position, position + length) as Buffer;
}
