import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { SourceRecord } from '../message.js';
import type { Deliveries } from './deliveries.js';
import type { JetStreamCodec } from './jetstream-options.js';
import { header } from './jetstream-sink.js';
import { decodePayload } from './message-codec.js';

/** What the source counts. */
export interface SourceCounts {
  /** Deliveries taken in, redeliveries included. */
  received: number;
  /** Deliveries with a delivery count above 1: a retry's `nak`, or a process that died or let AckWait pass. */
  redelivered: number;
  /** Redeliveries of a message this process still held (its AckWait passed): left to the first delivery. */
  ignored: number;
  /** Messages fetched but not read when reading stopped: `nak`ed at once, for another process. */
  returned: number;
}

/**
 * The engine's source over a consumer's `consume()` iterator: each message
 * as a record, held in `deliveries` until it settles. The offset is the
 * stream sequence; the event time is the `Tidemark-Event-Time` header, else
 * the time the stream stored the message; the key is `Tidemark-Key`. With
 * `upstream`, each record carries the minimum watermark of the processes
 * that published the stream (their watermark bucket), which the engine's
 * input watermark then rises to.
 *
 * The engine pulls only while its input buffer has room, and `consume()`
 * asks the server for more only once its own buffer (`max_messages`) has
 * been iterated: what this process books ahead stays bounded.
 */
export async function* jetStreamSource(
  messages: ConsumerMessages,
  deliveries: Deliveries,
  codec: JetStreamCodec,
  counts: SourceCounts,
  upstream?: () => number,
): AsyncGenerator<SourceRecord, void, undefined> {
  const iterator = messages[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      const msg = next.value;
      counts.received++;
      if (msg.info.deliveryCount > 1) counts.redelivered++;
      if (deliveries.has(msg.seq)) {
        counts.ignored++;
        continue;
      }
      deliveries.add(msg);
      yield sourceRecord(msg, codec, upstream?.() ?? Number.NEGATIVE_INFINITY);
    }
  } finally {
    // Reading stopped: what consume() had already fetched goes back at once, not after AckWait.
    messages.stop();
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      next.value.nak();
      counts.returned++;
    }
  }
}

/** `msg` as a record; `watermark`, when finite, is the upstream processes' shared watermark (the record's `watermark`). */
function sourceRecord(msg: JsMsg, codec: JetStreamCodec, watermark: number): SourceRecord {
  const decoded = decodePayload(msg.data, codec, msg.seq);
  const key = msg.headers?.get(header.key);
  return {
    ...('error' in decoded ? { value: msg.data, error: decoded.error } : { value: decoded.value }),
    eventTime: eventTime(msg),
    offset: msg.seq,
    bytes: msg.data.length,
    ...(key === undefined || key === '' ? {} : { key }),
    ...(Number.isFinite(watermark) ? { watermark } : {}),
  };
}

/** The `Tidemark-Event-Time` header when it is a finite number, else the stream's timestamp, in ms. */
function eventTime(msg: JsMsg): number {
  const given = msg.headers?.get(header.eventTime);
  if (given !== undefined && given !== '') {
    const value = Number(given);
    if (Number.isFinite(value)) return value;
  }
  return Number(msg.timestampNanos / 1_000_000n);
}
