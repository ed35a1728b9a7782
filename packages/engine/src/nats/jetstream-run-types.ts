import type { Consumer } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Engine } from '../engine.js';
import type { RetryPolicy } from '../dispatch/retry-policy.js';
import type { ResolvedJetStreamOptions } from './jetstream-options.js';
import type { JetStreamSink } from './jetstream-sink.js';
import type { SourceCounts } from './jetstream-source.js';
import type { WatermarkPublisher } from './watermark-publisher.js';
import type { WatermarkReader } from './watermark-reader.js';

/** What a JetStream run counts. */
export interface JetStreamStats extends SourceCounts {
  /** Messages acked: their records published and confirmed. */
  acked: number;
  /** Messages `nak`ed for a retry (their try failed, tries were left) or because a publish of theirs failed. */
  naked: number;
  /** Messages `term`ed: failed for good, their failed record confirmed at the dead-letter subject. */
  termed: number;
  /** Records the sink stream confirmed as new. */
  published: number;
  /** Records the sink stream confirmed as duplicates (its duplicate window dropped them): a redelivered message's records published before. */
  duplicates: number;
  /** Publishes that failed (their message was `nak`ed). */
  publishFailures: number;
  /** Outputs the codec could not carry, published as failed records instead. */
  unwritable: number;
}

/** Events of a {@link JetStreamRun}. */
export interface JetStreamRunEvents {
  /** This process's delivered output watermark rose (see `DeliveredWatermark`). */
  watermark: [value: number];
  /** The minimum output watermark over the live processes publishing to the watermark bucket rose. */
  sharedWatermark: [value: number];
  /** A publish failed (its message is `nak`ed and retried); the run goes on. */
  publishError: [error: Error];
  /** Watching the watermark bucket failed: `sharedWatermark` stops rising; the run goes on. */
  watermarkError: [error: Error];
}

/** What a run is made of (see `runJetStream`). */
export interface JetStreamParts {
  readonly nc: NatsConnection;
  readonly consumer: Consumer;
  readonly ackWait: number;
  readonly engine: Engine;
  readonly retry: RetryPolicy;
  readonly sink: JetStreamSink;
  readonly publisher?: WatermarkPublisher | undefined;
  readonly reader?: WatermarkReader | undefined;
  /** The stage before's watermark bucket, read for each record's `watermark`. */
  readonly upstream?: WatermarkReader | undefined;
  readonly options: ResolvedJetStreamOptions;
}
