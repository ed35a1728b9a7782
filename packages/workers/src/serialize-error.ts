import type { SerializedError } from './protocol.js';

/** Turn anything thrown into plain data that keeps its `name`, `code`, message and stack. */
export function serializeError(thrown: unknown): SerializedError {
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    return {
      name: thrown.name,
      code: code === undefined ? undefined : codeText(code),
      message: thrown.message,
      stack: thrown.stack,
    };
  }
  return { name: 'NonError', code: undefined, message: describe(thrown), stack: undefined };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** An error's `code` as text: a string or a number in practice; anything else as JSON where it can be, never `[object Object]`. */
function codeText(code: unknown): string {
  if (typeof code === 'string') return code;
  if (typeof code === 'number' || typeof code === 'bigint' || typeof code === 'boolean') return `${code}`;
  try {
    return JSON.stringify(code) ?? typeof code;
  } catch {
    return typeof code; // a cycle
  }
}
