import { InvalidMessageError, UnwritableOutputError } from '../errors.js';
import type { JetStreamCodec } from './jetstream-options.js';

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * A message's payload as the transform's value: `json` parses it (an empty
 * payload is `undefined`), `text` decodes UTF-8, `bytes` passes the
 * `Uint8Array`. A payload that does not decode is an `InvalidMessageError`,
 * returned (its message fails without a try), never thrown.
 */
export function decodePayload(data: Uint8Array, codec: JetStreamCodec, seq: number): { value: unknown } | { error: Error } {
  if (codec === 'bytes') return { value: data };
  let text: string;
  try {
    text = decoder.decode(data);
  } catch {
    return { error: new InvalidMessageError(`stream sequence ${seq}: the payload is not UTF-8`) };
  }
  if (codec === 'text') return { value: text };
  if (text.length === 0) return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: new InvalidMessageError(`stream sequence ${seq}: the payload is not JSON (${(error as Error).message})`) };
  }
}

/**
 * An output's value as a payload: `json` stringifies it (`undefined` is an
 * empty payload), `text` takes a string, `bytes` a `Uint8Array` or a string
 * (UTF-8). Throws `UnwritableOutputError` for a value it cannot carry.
 */
export function encodePayload(value: unknown, codec: JetStreamCodec): Uint8Array {
  if (codec === 'json') {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      throw new UnwritableOutputError(`the output cannot be written as JSON: ${(error as Error).message}`);
    }
    return encoder.encode(text ?? '');
  }
  if (typeof value === 'string') return encoder.encode(value);
  if (codec === 'bytes' && value instanceof Uint8Array) return value;
  throw new UnwritableOutputError(`with codec '${codec}' an output must be a string${codec === 'bytes' ? ' or a Uint8Array' : ''}, got ${typeof value}`);
}
