/**
 * The value of one processor's key in the watermark bucket, both ends: the
 * publisher encodes it, every reader decodes it. JSON, so that `nats kv get`
 * shows it as it is:
 *
 *     {"v":1,"watermark":1717171717000}   the processor's output watermark (ms)
 *     {"v":1,"watermark":null}            alive, no watermark yet (-Infinity)
 *
 * The heartbeat is not in the value: every put is one, and readers judge its
 * age by the server's `created` time and their own clock, never by the
 * publisher's (see watermark-reader.ts).
 */

/** What a processor's key holds. */
export interface WatermarkEntry {
  /** The processor's output watermark in ms; `-Infinity` before it has one. */
  readonly watermark: number;
}

/** The format's version; a reader ignores an entry of another. */
export const WATERMARK_ENTRY_VERSION = 1;

/** Longer values are not entries of this format: refused before they are parsed. */
export const WATERMARK_ENTRY_MAX_BYTES = 256;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The bytes to put for `entry`. `watermark` is finite or `-Infinity` (the publisher checks). */
export function encodeWatermarkEntry(entry: WatermarkEntry): Uint8Array {
  const watermark = entry.watermark === Number.NEGATIVE_INFINITY ? null : entry.watermark;
  return encoder.encode(JSON.stringify({ v: WATERMARK_ENTRY_VERSION, watermark }));
}

/**
 * The entry in `bytes`, or `undefined` when they are not one: too long, not
 * UTF-8, not JSON, not an object, another version, or a watermark that is
 * neither a finite number nor `null`. Never throws.
 */
export function decodeWatermarkEntry(bytes: Uint8Array): WatermarkEntry | undefined {
  if (bytes.byteLength > WATERMARK_ENTRY_MAX_BYTES) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { v, watermark } = parsed as { v?: unknown; watermark?: unknown };
  if (v !== WATERMARK_ENTRY_VERSION) return undefined;
  if (watermark === null) return { watermark: Number.NEGATIVE_INFINITY };
  if (typeof watermark !== 'number' || !Number.isFinite(watermark)) return undefined;
  return { watermark };
}
