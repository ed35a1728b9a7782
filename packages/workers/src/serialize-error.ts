import type { SerializedError } from './protocol.js';

/** Turn anything thrown into plain data that keeps its `name`, `code`, message and stack. */
export function serializeError(thrown: unknown): SerializedError {
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    return {
      name: thrown.name,
      code: code === undefined ? undefined : String(code),
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
