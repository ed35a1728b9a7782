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
  if (typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, 'value')) {
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

/** `value` if it is an array of strings. */
function strings(value: unknown): readonly string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}
