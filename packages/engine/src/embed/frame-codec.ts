import { parse, stringify } from 'devalue';

/** How deep {@link isJsonSafe} looks before it leaves a message to devalue. */
const MAX_DEPTH = 32;

/**
 * Whether `JSON.stringify` carries `value` exactly: only finite numbers
 * (not -0), strings, booleans, null, arrays and plain objects of them. No
 * `undefined` (JSON drops it from objects and makes it null in arrays),
 * no NaN or ±Infinity, no Date, Map, Set, BigInt, typed array or cycle.
 */
export function isJsonSafe(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isJsonSafe(value[i], depth + 1)) return false;
        return true;
      }
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype) return false; // a null-prototype object comes back from JSON with one
      for (const key in value) if (!isJsonSafe((value as Record<string, unknown>)[key], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

/**
 * A message as one text frame: JSON when JSON carries it exactly (most
 * answers and feeds: numbers, strings, plain objects; five times cheaper
 * both ways), else devalue, which carries what structured clone does. A
 * JSON frame is an object (`{…}`), a devalue frame an array (`[…]`), so the
 * first character says which. Throws (devalue's error) for a value neither
 * can carry.
 */
export function encodeFrame(message: unknown): string {
  return message !== null && typeof message === 'object' && !Array.isArray(message) && isJsonSafe(message) ? JSON.stringify(message) : stringify(message);
}

/** The message of a frame {@link encodeFrame} made. Throws on a malformed frame. */
export function decodeFrame(frame: string): unknown {
  return frame.startsWith('{') ? (JSON.parse(frame) as unknown) : parse(frame);
}
