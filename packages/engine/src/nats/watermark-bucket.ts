import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { InvalidOptionError } from '../errors.js';
import { WATERMARK_ENTRY_MAX_BYTES } from './watermark-entry.js';

/** Options of {@link openWatermarkBucket}. */
export interface WatermarkBucketOptions {
  /**
   * How long the server keeps a key that is no longer put (ms): it clears
   * away the keys of processes that died without removing theirs. Live
   * publishers put every heartbeat, so their keys never get this old.
   * Applies only when this call creates the bucket.
   * @default 3_600_000 (one hour)
   */
  readonly ttl?: number;
}

/** One hour: far longer than any heartbeat, short enough that a bucket does not collect dead processes for days. */
export const DEFAULT_WATERMARK_BUCKET_TTL = 3_600_000;

/**
 * Creates the KV bucket for processors' watermarks, or binds to it if it is
 * there (its settings are then left as they are). One value per key
 * (history 1: a reader only ever wants the last one), values of at most
 * 256 bytes, file storage (it outlives a server restart), and the keys of
 * dead processes expire after `ttl`. Only settings that nats-server 2.9
 * knows: no compression, metadata or per-message TTL (2.10 and 2.11).
 *
 * @example
 * const kv = await openWatermarkBucket(nc, 'tidemark-watermarks');
 * const publisher = await WatermarkPublisher.open(kv, `engine-${process.pid}`);
 */
export async function openWatermarkBucket(
  connection: NatsConnection | JetStreamClient,
  name: string,
  options: WatermarkBucketOptions = {},
): Promise<KV> {
  if (typeof name !== 'string' || !/^[-\w]+$/.test(name)) {
    throw new InvalidOptionError('name', 'a bucket name of letters, digits, `-` and `_`', name);
  }
  const ttl = options.ttl ?? DEFAULT_WATERMARK_BUCKET_TTL;
  if (typeof ttl !== 'number' || !(ttl >= 1000) || !Number.isSafeInteger(ttl)) {
    throw new InvalidOptionError('ttl', 'a whole number of milliseconds from 1000 up', ttl);
  }
  return new Kvm(connection).create(name, { history: 1, ttl, maxValueSize: WATERMARK_ENTRY_MAX_BYTES });
}
