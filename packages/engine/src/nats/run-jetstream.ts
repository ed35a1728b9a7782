import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { Engine } from '../engine.js';
import { BrokerError } from '../errors.js';
import { resolveOptions } from '../options/resolve-options.js';
import type { EngineOptions } from '../options/options.js';
import { resolveJetStreamOptions } from './jetstream-options.js';
import type { JetStreamRunOptions, ResolvedJetStreamOptions } from './jetstream-options.js';
import { JetStreamRun } from './jetstream-run.js';
import { JetStreamSink } from './jetstream-sink.js';
import { openWatermarkBucket } from './watermark-bucket.js';
import { WatermarkPublisher } from './watermark-publisher.js';
import { WatermarkReader } from './watermark-reader.js';

const nanosPerMs = 1_000_000;

/**
 * Run an engine over a durable JetStream consumer that several processes
 * may share: connects, checks the stream, creates the consumer when it is
 * missing, starts the engine and returns the running {@link JetStreamRun}
 * (await its `done`). Bad options throw `InvalidOptionError`; a server that
 * cannot be reached, a missing stream or a consumer that cannot be made
 * throw `BrokerError` (`ERR_TIDEMARK_BROKER`).
 *
 * @example
 * const run = await runJetStream({
 *   servers: 'nats://127.0.0.1:4222', stream: 'ORDERS', consumer: 'enrich', sinkSubject: 'orders.enriched',
 *   engine: { transform: new URL('./enrich.js', import.meta.url) },
 * });
 * process.once('SIGTERM', () => run.stop());
 * console.log(await run.done);
 */
export async function runJetStream(options: JetStreamRunOptions): Promise<JetStreamRun> {
  const resolved = resolveJetStreamOptions(options);
  const { engineOptions, retry } = jetStreamEngineOptions(options.engine, resolved.retries);
  const nc = await connect({
    servers: resolved.servers,
    name: `tidemark ${resolved.processor}`,
    maxReconnectAttempts: resolved.reconnect.attempts,
    reconnectTimeWait: resolved.reconnect.wait,
  }).catch((error: unknown) => {
    throw new BrokerError(`cannot connect to ${resolved.servers.join(', ')}: ${(error as Error).message}`, { cause: error });
  });
  let engine: Engine | undefined;
  let watermarks: Awaited<ReturnType<typeof watermarkParts>> = {};
  try {
    const jsm = await jetstreamManager(nc).catch((error: unknown) => {
      throw new BrokerError(`JetStream is not enabled on ${resolved.servers.join(', ')} (start nats-server with -js): ${(error as Error).message}`, { cause: error });
    });
    await jsm.streams.info(resolved.stream).catch((error: unknown) => {
      throw new BrokerError(`no stream ${resolved.stream}: ${(error as Error).message}`, { cause: error });
    });
    await captured(jsm, '`sinkSubject`', resolved.sinkSubject);
    if (resolved.deadLetterSubject !== undefined) await captured(jsm, '`deadLetterSubject`', resolved.deadLetterSubject);
    const { ackWait, maxDeliver } = await durableConsumer(jsm, resolved);
    const js = jetstream(nc);
    const consumer = await js.consumers.get(resolved.stream, resolved.consumer);
    watermarks = await watermarkParts(nc, resolved);
    engine = new Engine(engineOptions);
    return new JetStreamRun({
      nc,
      consumer,
      ackWait,
      engine,
      // The consumer stops redelivering at its max_deliver: the last delivery is then the last try, and dead-letters.
      retry: { ...retry, attempts: Math.min(retry.attempts, maxDeliver) },
      sink: new JetStreamSink(js, resolved, nc.info?.max_payload ?? 1024 * 1024),
      ...watermarks,
      options: resolved,
    });
  } catch (error) {
    for (const part of [watermarks.publisher, watermarks.reader, watermarks.upstream, engine]) await part?.close().catch(() => {});
    await nc.close();
    throw error;
  }
}

/**
 * The engine's options for a JetStream run: with `retries: 'nak'`, each
 * delivery tried once (a retry is JetStream's `nak`, with the options'
 * backoff); with `'engine'`, the engine's own retries. And an input
 * buffer of the in-flight target unless one is given (the pull batch is
 * its size: a round trip per message would bound the rate).
 */
function jetStreamEngineOptions(options: EngineOptions, retries: 'nak' | 'engine'): { engineOptions: EngineOptions; retry: ResolvedJetStreamRetry } {
  const resolved = resolveOptions(options); // every engine option checked before connecting
  const input = options.buffers?.input;
  const engineOptions: EngineOptions = {
    ...options,
    ...(retries === 'nak' ? { retry: { ...options.retry, attempts: 1 } } : {}),
    buffers: { ...options.buffers, input: { ...input, messages: input?.messages ?? resolved.concurrency } },
  };
  return { engineOptions, retry: resolved.retry };
}

type ResolvedJetStreamRetry = { readonly attempts: number; readonly initial: number; readonly max: number };

/** The durable consumer, created (explicit ack, `ackWait`) when missing; its AckWait in ms, and its max_deliver (Infinity: none). */
async function durableConsumer(jsm: JetStreamManager, options: ResolvedJetStreamOptions): Promise<{ ackWait: number; maxDeliver: number }> {
  const found = await jsm.consumers.info(options.stream, options.consumer).catch(() => undefined);
  const info =
    found ??
    (await jsm.consumers
      .add(options.stream, { durable_name: options.consumer, ack_policy: AckPolicy.Explicit, ack_wait: options.ackWait * nanosPerMs })
      .catch((error: unknown) => {
        throw new BrokerError(`cannot create the consumer ${options.consumer} on ${options.stream}: ${(error as Error).message}`, { cause: error });
      }));
  if (info.config.ack_policy !== AckPolicy.Explicit) {
    throw new BrokerError(`the consumer ${options.consumer} acks ${info.config.ack_policy}: a message is acked only once its outputs are confirmed, which needs explicit acks`);
  }
  if (info.config.deliver_subject !== undefined) throw new BrokerError(`the consumer ${options.consumer} is a push consumer: a shared durable pull consumer is needed`);
  const maxDeliver = info.config.max_deliver;
  return {
    ackWait: (info.config.ack_wait ?? 30_000 * nanosPerMs) / nanosPerMs,
    maxDeliver: maxDeliver === undefined || maxDeliver <= 0 ? Number.POSITIVE_INFINITY : maxDeliver,
  };
}

/** Throws `BrokerError` unless a stream captures `subject`: every publish there would fail, and its message come back for ever. */
async function captured(jsm: JetStreamManager, option: string, subject: string): Promise<void> {
  await jsm.streams.find(subject).catch((error: unknown) => {
    throw new BrokerError(`no stream captures ${option} ${subject}: create one whose subjects include it (${(error as Error).message})`, { cause: error });
  });
}

/** The watermark bucket's publisher and reader, with `watermarkBucket`; the upstream bucket's reader, with `upstreamWatermarkBucket`. */
async function watermarkParts(
  nc: NatsConnection,
  options: ResolvedJetStreamOptions,
): Promise<{ publisher?: WatermarkPublisher; reader?: WatermarkReader; upstream?: WatermarkReader }> {
  const parts: { publisher?: WatermarkPublisher; reader?: WatermarkReader; upstream?: WatermarkReader } = {};
  if (options.upstreamWatermarkBucket !== undefined) {
    parts.upstream = await WatermarkReader.open(await openWatermarkBucket(nc, options.upstreamWatermarkBucket), { staleAfter: options.staleAfter });
  }
  if (options.watermarkBucket === undefined) return parts;
  const kv = await openWatermarkBucket(nc, options.watermarkBucket);
  parts.publisher = await WatermarkPublisher.open(kv, options.processor, { heartbeat: options.heartbeat, onError: () => {} }); // a put that failed: the next beat puts again
  parts.reader = await WatermarkReader.open(kv, { staleAfter: options.staleAfter });
  return parts;
}
