import { deserialize, serialize } from 'node:v8';

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

/** A DataView per backing buffer, made once (rings live long). */
const views = new WeakMap<ArrayBufferLike, DataView>();

function viewOf(bytes: Buffer): DataView {
  const view = new DataView(bytes.buffer);
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
        if (!value.isWellFormed()) return this.#serialize(value);
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
        if (value instanceof Uint8Array) {
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

/** Read a value of `tag` from `length` bytes at `position` of `source` (copied out). */
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
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
  return Uint8Array.prototype.slice.call(source, position, position + length) as Buffer;
}
