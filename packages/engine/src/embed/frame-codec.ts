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
 * first character says which. Throws (devalue's error, or a TypeError for
 * an own `__proto__` key that only devalue would have to carry) for a value
 * neither can carry.
 */
export function encodeFrame(message: unknown): string {
  if (message !== null && typeof message === 'object' && !Array.isArray(message) && isJsonSafe(message)) return JSON.stringify(message);
  // devalue rebuilds objects by assignment, which makes an own `__proto__` key the prototype: refuse rather than lose it.
  if (ownProtoKey(message, 0, new Set())) throw new TypeError('an object with an own `__proto__` key cannot cross here unless JSON carries it whole');
  return stringify(message);
}

/** Whether `value` holds a plain object or array with an own `__proto__` property, at any depth. */
function ownProtoKey(value: unknown, depth: number, seen: Set<object>): boolean {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || seen.has(value)) return false;
  seen.add(value);
  if (Object.hasOwn(value, '__proto__')) return true;
  const children = Array.isArray(value) ? value : value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set ? [...value] : Object.values(value);
  return children.some((child: unknown) => ownProtoKey(child, depth + 1, seen));
}

/** The message of a frame {@link encodeFrame} made. Throws on a malformed frame. */
export function decodeFrame(frame: string): unknown {
  return frame.startsWith('{') ? (JSON.parse(frame) as unknown) : parse(frame);
}
