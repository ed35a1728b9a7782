import { SafeError, SafeString, jsonStringify } from './primordials.js';
import type { SerializedError } from './protocol.js';

/**
 * Turn anything thrown into plain data that keeps its `name`, `code`,
 * message and stack. Never throws, whatever was thrown: an error whose
 * getters throw, a revoked Proxy, an object whose `toString` throws.
 */
export function serializeError(thrown: unknown): SerializedError {
  let error = false;
  try {
    error = thrown instanceof SafeError;
  } catch {
    // A Proxy whose getPrototypeOf trap throws: not an Error then.
  }
  if (error) {
    const e = thrown as Error & { code?: unknown };
    const code = read(() => e.code);
    return {
      name: text(read(() => e.name)) ?? 'Error',
      code: code === undefined ? undefined : codeText(code),
      message: text(read(() => e.message)) ?? '',
      stack: text(read(() => e.stack)),
    };
  }
  return { name: 'NonError', code: undefined, message: describe(thrown), stack: undefined };
}

/** `get()`, or undefined when it throws. */
function read(get: () => unknown): unknown {
  try {
    return get();
  } catch {
    return undefined;
  }
}

/** A field that should be a string: as is, else as text, else undefined. */
function text(value: unknown): string | undefined {
  return value === undefined ? undefined : describe(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return jsonStringify(value) ?? SafeString(value);
  } catch {
    try {
      return SafeString(value);
    } catch {
      return typeof value;
    }
  }
}

/** An error's `code` as text: a string or a number in practice; anything else as JSON where it can be, never `[object Object]`. */
function codeText(code: unknown): string {
  if (typeof code === 'string') return code;
  if (typeof code === 'number' || typeof code === 'bigint' || typeof code === 'boolean') return `${code}`;
  try {
    return jsonStringify(code) ?? typeof code;
  } catch {
    return typeof code; // a cycle
  }
}
