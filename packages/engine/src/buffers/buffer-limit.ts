/** The three buffers a message passes through (DESIGN.md). */
export const bufferNames = ['input', 'processing', 'output'] as const;
export type BufferName = (typeof bufferNames)[number];

/**
 * What happens to a message that arrives at a full buffer.
 * - `'block'`: it waits, and the stage before it waits too, back to the
 *   source, which is not read (backpressure).
 * - `'drop-newest'`: the arriving message is dropped.
 * - `'drop-oldest'`: the message that has waited longest in the buffer is
 *   dropped to make room.
 * - `'reject'`: the arriving message becomes a failed record with a
 *   `BufferFullError` (code `ERR_TIDEMARK_BUFFER_FULL`).
 *
 * A dropped message is acked and dropped: the `ack` event reports it with
 * `stage: 'dropped'` and `overflow: { buffer, policy }`, it counts in
 * `stats.dropped` and `tidemark_messages_dropped_total{buffer, policy}`, and
 * the committed offset moves past it. Nothing is dropped silently.
 *
 * With the `priority` option, the input buffer's drop policies drop the
 * lowest effective priority first (ties: the oldest under `drop-oldest`,
 * the newest under `drop-newest`).
 */
export const overflowPolicies = ['block', 'drop-oldest', 'drop-newest', 'reject'] as const;
export type OverflowPolicy = (typeof overflowPolicies)[number];

/** One buffer's limits, resolved. `bytes` is `Infinity` when not limited. */
export interface BufferLimit {
  readonly messages: number;
  readonly bytes: number;
  readonly overflow: OverflowPolicy;
}

/**
 * Whether a buffer holding `messages` messages of `bytes` bytes is full. A
 * buffer under its byte limit takes one more message whatever its size (a
 * stream's high-water mark), so a message larger than the whole limit still
 * passes, alone, and the limit is exceeded by at most one message.
 */
export function isFull(messages: number, bytes: number, limit: BufferLimit): boolean {
  return messages >= limit.messages || bytes >= limit.bytes;
}

/** Why a message left without being processed: the buffer and the policy. */
export interface Overflow {
  readonly buffer: BufferName;
  readonly policy: Exclude<OverflowPolicy, 'block'>;
}

/** A buffer's fill against its limits; `bytes` only where sizes are measured. */
export interface BufferFill {
  readonly fill: number;
  readonly capacity: number;
  readonly bytes?: { readonly fill: number; readonly capacity: number };
}

/** A buffer's fill against `limit`; bytes only when `measured`. */
export function bufferFill(messages: number, bytes: number, limit: BufferLimit, measured: boolean): BufferFill {
  return measured
    ? { fill: messages, capacity: limit.messages, bytes: { fill: bytes, capacity: limit.bytes } }
    : { fill: messages, capacity: limit.messages };
}

/** The three buffers before any run: empty, at their message limits. */
export function emptyFills(limits: Readonly<Record<BufferName, BufferLimit>>): Record<BufferName, BufferFill> {
  const empty = (limit: BufferLimit): BufferFill => ({ fill: 0, capacity: limit.messages });
  return { input: empty(limits.input), processing: empty(limits.processing), output: empty(limits.output) };
}

/** The highest share of a byte limit in use among the `names` buffers of `fills` (0 where none has one). */
export function byteShare(fills: Readonly<Record<BufferName, BufferFill>>, names: readonly BufferName[]): number {
  let share = 0;
  for (const name of names) {
    const bytes = fills[name].bytes;
    if (bytes !== undefined && Number.isFinite(bytes.capacity)) share = Math.max(share, bytes.fill / bytes.capacity);
  }
  return share;
}
