/**
 * Errors across a thread, process or runtime boundary. Structured clone keeps
 * an Error's `name`, `message` and `stack` but not its class or its own
 * fields, and comlink's own error handler keeps even less; so every error the
 * far side reports crosses as a plain {@link WireError}, and the host makes
 * the Tidemark class of the same name again, `code`, `option`, `received`
 * and the rest included.
 */
import * as errorClasses from '../error-classes.js';
import type { TidemarkError } from '../errors.js';

/** An error as it crosses: its name, code, message, stack and own data fields. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string | undefined;
  readonly stack?: string | undefined;
  /** The error's own enumerable fields as plain data (`name` and `code` of a Tidemark error, `option`, `received`, `line`…). */
  readonly fields: Record<string, unknown>;
  readonly cause?: WireError | undefined;
}

/** Every Tidemark error class by name, made again without running its constructor. */
const classes: Record<string, { prototype: TidemarkError }> = errorClasses;

/**
 * `error` (anything thrown) as a {@link WireError}. Never throws: an error
 * whose fields throw as they are read (a getter, a Proxy) crosses with what
 * could be read.
 */
export function toWireError(error: unknown, depth = 0): WireError {
  if (!isError(error)) {
    return { name: 'Error', message: `a non-Error was thrown: ${describe(error)}`, fields: { thrown: plain(error) } };
  }
  const fields: Record<string, unknown> = {};
  const read = <T>(what: () => T, otherwise: T): T => {
    try {
      return what();
    } catch {
      return otherwise;
    }
  };
  for (const key of read(() => Object.keys(error), [])) {
    if (key === 'message' || key === 'stack' || key === 'cause') continue;
    fields[key] = read(() => plain((error as unknown as Record<string, unknown>)[key]), '[a field that threw as it was read]');
  }
  const code = read(() => (error as { code?: unknown }).code, undefined);
  const cause = read(() => error.cause, undefined);
  return {
    name: read(() => String(error.name), 'Error'),
    message: read(() => String(error.message), ''),
    code: typeof code === 'string' ? code : undefined,
    stack: read(() => error.stack, undefined),
    fields,
    cause: cause !== undefined && depth < 4 ? toWireError(cause, depth + 1) : undefined,
  };
}

/** The error `wire` describes: an instance of the Tidemark class of its name, or an `Error` with its name and code. */
export function fromWireError(wire: WireError): Error {
  const known = Object.hasOwn(classes, wire.name) ? classes[wire.name] : undefined;
  const error = known === undefined ? new Error(wire.message) : (Object.create(known.prototype) as Error);
  const target = error as unknown as Record<string, unknown>;
  define(target, 'message', wire.message);
  if (error.name !== wire.name) define(target, 'name', wire.name);
  if (wire.code !== undefined) target.code = wire.code;
  if (wire.stack !== undefined) define(target, 'stack', wire.stack);
  if (wire.cause !== undefined) define(target, 'cause', fromWireError(wire.cause));
  for (const [key, value] of Object.entries(wire.fields)) {
    if (key !== '__proto__' && key !== 'constructor') target[key] = value;
  }
  return error;
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false });
}

/** `value` when it is plain data that crosses every boundary, else its description. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return value;
  if (type === 'object') {
    try {
      // JSON round-trips what every endpoint can carry (WebSocket included).
      return JSON.parse(JSON.stringify(value)) as unknown;
    } catch {
      return describe(value);
    }
  }
  return describe(value);
}

function describe(value: unknown): string {
  try {
    return typeof value === 'function' ? `[function ${value.name || 'anonymous'}]` : String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return '[a value that cannot be described]';
    }
  }
}

/** `instanceof Error`, false for a value whose prototype chain throws as it is read (a hostile Proxy). */
function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}
