/**
 * `@tidemark/engine/nats`: engine processes sharing a NATS JetStream stream
 * (a durable pull consumer in, a sink subject out, acks after the sink's
 * confirmation), and the output watermark shared across them through a KV
 * bucket.
 */
export { runJetStream } from './run-jetstream.js';
export { JetStreamRun } from './jetstream-run.js';
export type { JetStreamRunEvents, JetStreamStats } from './jetstream-run-types.js';
export type { JetStreamCodec, JetStreamRunOptions } from './jetstream-options.js';
export { header as jetStreamHeaders } from './jetstream-sink.js';
export { openWatermarkBucket } from './watermark-bucket.js';
export type { WatermarkBucketOptions } from './watermark-bucket.js';
export { WatermarkPublisher } from './watermark-publisher.js';
export type { WatermarkPublisherOptions } from './watermark-publisher.js';
export { WatermarkReader } from './watermark-reader.js';
export type { WatermarkReaderOptions } from './watermark-reader.js';
export { BrokerError } from '../errors.js';
