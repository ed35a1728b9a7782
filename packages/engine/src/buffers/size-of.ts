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
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value !== 'object' || value === null) return 8;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
    return value.byteLength;
  }
  let total = 0;
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (typeof next === 'string') {
      total += Buffer.byteLength(next);
    } else if (typeof next !== 'object' || next === null) {
      total += 8;
    } else if (!seen.has(next)) {
      seen.add(next);
      if (ArrayBuffer.isView(next) || next instanceof ArrayBuffer || next instanceof SharedArrayBuffer) {
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
          total += 8 + Buffer.byteLength(key);
          stack.push((next as Record<string, unknown>)[key]);
        }
      }
    }
  }
  return total;
}
