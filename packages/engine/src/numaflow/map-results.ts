import { show } from '../errors.js';
import type { MapResult } from './map-proto.js';

/**
 * A transform's outputs as the results of one `MapResponse`: what a
 * Tidemark transform may return in Numaflow mode, and how it becomes
 * Numaflow messages.
 *
 * | the transform returns | the result |
 * |---|---|
 * | a `Buffer` or `Uint8Array` | those bytes, with the request's keys, no tags |
 * | a string | its UTF-8 bytes, with the request's keys, no tags |
 * | `{ value, keys?, tags? }` | `value` as above (`null`: no bytes); `keys` (default: the request's) and `tags` (default: none) are arrays of strings |
 * | `null`, `undefined`, `drop()` | nothing: a message with no result is answered with one DROP message |
 * | `fanOut(a, b, …)` | a result per value, in order |
 *
 * Anything else is not a Numaflow message, and the request fails as a
 * transform that threw does.
 */

/** Numaflow's tag of a message to drop (`MessageToDrop()` in the SDKs): `U+005C__DROP__`, literally. */
export const dropTag = 'U+005C__DROP__';

const empty = new Uint8Array(0);

/** The one result of a message whose transform gave no output: the SDKs' `MessageToDrop()`, an empty value tagged DROP. */
export const dropResult: MapResult = { keys: [], value: empty, tags: [dropTag] };

/**
 * The result for one output `value` of a request with `keys`: a
 * {@link MapResult}, `undefined` for no result (`null` or `undefined`), or a
 * string saying why `value` is not a Numaflow message.
 */
export function mapResult(value: unknown, keys: readonly string[]): MapResult | undefined | string {
  if (value === null || value === undefined) return undefined;
  const bytes = toBytes(value);
  if (bytes !== undefined) return { keys, value: bytes, tags: [] };
  if (isPlainObject(value) && !Object.hasOwn(value, 'value')) {
    const fields = Object.keys(value);
    return `expected { value, keys?, tags? }, got an object with no \`value\` (its fields: ${fields.length === 0 ? 'none' : fields.join(', ')})`;
  }
  if (!isPlainObject(value)) {
    return `expected bytes (a Buffer or Uint8Array), a string, null or { value, keys?, tags? }, got ${show(value)}`;
  }
  const message = value as { value: unknown; keys?: unknown; tags?: unknown };
  const inner = message.value === null || message.value === undefined ? empty : toBytes(message.value);
  if (inner === undefined) return `expected \`value\` to be bytes (a Buffer or Uint8Array), a string or null, got ${show(message.value)}`;
  const ownKeys = message.keys === undefined ? keys : strings(message.keys);
  if (ownKeys === undefined) return `expected \`keys\` to be an array of strings, got ${show(message.keys)}`;
  const tags = message.tags === undefined ? [] : strings(message.tags);
  if (tags === undefined) return `expected \`tags\` to be an array of strings, got ${show(message.tags)}`;
  return { keys: ownKeys, value: inner, tags };
}

/** `value` as bytes to send: a Uint8Array (a Buffer is one) as it is, a string as UTF-8; undefined for anything else. */
function toBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return undefined;
}

/** An object literal's kind: its prototype is Object's, or none. */
function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** `value` if it is an array of strings. */
function strings(value: unknown): readonly string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

/**
 * The encoded size of the `MapResponse` `{ id, results }`, what gRPC checks
 * against its longest message before sending: each field its tag byte (the
 * field numbers are all below 16), its length as a varint and its bytes; the
 * encoder writes `id` and each result's `value` even when empty.
 */
export function answerBytes(id: string, results: readonly MapResult[]): number {
  let total = field(Buffer.byteLength(id));
  for (const result of results) {
    let body = field(result.value.byteLength);
    for (const key of result.keys) body += field(Buffer.byteLength(key));
    for (const tag of result.tags) body += field(Buffer.byteLength(tag));
    total += field(body);
  }
  return total;
}

/** A length-delimited field of `length` bytes: tag, length, bytes. */
function field(length: number): number {
  return 1 + varintBytes(length) + length;
}

function varintBytes(value: number): number {
  let bytes = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) bytes++;
  return bytes;
}
