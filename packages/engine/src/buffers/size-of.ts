/**
 * The size in bytes a value counts for in a buffer's byte limit, estimated
 * without serializing it: UTF-8 bytes of a string, `byteLength` of binary
 * data, 8 for a number, bigint, boolean, null or undefined, and for arrays,
 * plain objects, Maps and Sets the sum of their parts (property names
 * included) plus 8 per entry. A value reached twice counts once. Used only
 * when a byte limit is set; a source that knows a record's size passes it as
 * `SourceRecord.bytes` instead.
 */
export function sizeOf(value: unknown): number {
  if (typeof value === 'string') return utf8Bytes(value);
  if (typeof value !== 'object' || value === null) return 8;
  if (isBinary(value)) return value.byteLength;
  let total = 0;
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (typeof next === 'string') {
      total += utf8Bytes(next);
    } else if (typeof next !== 'object' || next === null) {
      total += 8;
    } else if (!seen.has(next)) {
      seen.add(next);
      if (isBinary(next)) {
        total += next.byteLength;
      } else if (Array.isArray(next)) {
        total += 8 * next.length;
        for (const item of next) stack.push(item);
      } else if (next instanceof Map) {
        total += 8 * next.size;
        for (const [key, item] of next) stack.push(key, item);
      } else if (next instanceof Set) {
        total += 8 * next.size;
        for (const item of next) stack.push(item);
      } else {
        for (const key of Object.keys(next)) {
          total += 8 + utf8Bytes(key);
          stack.push((next as Record<string, unknown>)[key]);
        }
      }
    }
  }
  return total;
}

/**
 * A string's length in UTF-8: Node's own count where there is one, else
 * counted here (a browser, where the remote engine's host measures its
 * feed batches with this).
 */
const utf8Bytes: (text: string) => number =
  typeof Buffer === 'function'
    ? (text) => Buffer.byteLength(text)
    : (text) => {
        let bytes = 0;
        for (let i = 0; i < text.length; i++) {
          const code = text.charCodeAt(i);
          if (code < 0x80) bytes += 1;
          else if (code < 0x800) bytes += 2;
          else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
            bytes += 4; // a surrogate pair: one code point
            i++;
          } else bytes += 3;
        }
        return bytes;
      };

/** Binary data, counted by its byte length (a browser without cross-origin isolation has no SharedArrayBuffer). */
function isBinary(value: object): value is ArrayBufferView | ArrayBuffer {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer);
}
