import { EventEmitter } from 'node:events';
import type { JsMsg } from '@nats-io/jetstream';
import type { Engine } from '../engine.js';
import { BrokerError, InvalidMessageError, TidemarkError } from '../errors.js';
import type { EngineRecord, FailedRecord } from '../message.js';
import { backoff } from '../dispatch/retry-policy.js';
import { Deliveries } from './deliveries.js';
import type { Verdict } from './deliveries.js';
import { DeliveredWatermark } from './delivered-watermark.js';
import { jetStreamSource } from './jetstream-source.js';
import type { JetStreamParts, JetStreamRunEvents, JetStreamStats } from './jetstream-run-types.js';
import { watchConsumer } from './consumer-watch.js';
import { StalePeerHold } from './stale-peer-hold.js';

/**
 * One engine process's share of a durable JetStream consumer: messages in
 * through `consume()`, through the engine, out to the sink subject; each
 * message acked once its records are confirmed (see `Deliveries`). Started
 * by `runJetStream`; {@link done} resolves with the counts once reading
 * stopped (the signal, {@link stop}, or `stopWhenDrained`) and everything
 * read was settled.
 */
export class JetStreamRun extends EventEmitter<JetStreamRunEvents> {
  /** The engine, for its events, metrics and `watermark` (with `upstreamWatermarkBucket`, its input watermark follows the stage before's). */
  readonly engine: Engine;
  /** Counts kept here; the sink keeps its own (see {@link stats}). */
  readonly #counts = {
    received: 0,
    redelivered: 0,
    ignored: 0,
    returned: 0,
    acked: 0,
    naked: 0,
    termed: 0,
    publishFailures: 0,
  };
  /** Resolves once the run has ended and let go of its connection; rejects if it failed. */
  readonly done: Promise<JetStreamStats>;
  readonly #parts: JetStreamParts;
  readonly #reading = new AbortController();
  readonly #deliveries: Deliveries;
  readonly #delivered: DeliveredWatermark;
  /** With a watermark bucket: holds the key at a dead peer's watermark until what it held is redelivered and acked. */
  readonly #hold: StalePeerHold | undefined;
  /** Messages read and handed back unprocessed when reading stopped: they come back to the peers, so the key is left to go stale. */
  #leftBehind = 0;
  readonly #publishes = new Set<Promise<void>>();
  /** Records handed over so far per message held, for their `Nats-Msg-Id`. */
  readonly #indexes = new Map<number, number>();
  /** What failed beside the engine's loop (looking at the consumer): the run ends with it. */
  #failure: Error | undefined;

  constructor(parts: JetStreamParts) {
    super();
    this.#parts = parts;
    this.engine = parts.engine;
    this.#deliveries = new Deliveries(parts.ackWait, this.#settled);
    const { publisher, reader } = parts;
    this.#hold = publisher === undefined || reader === undefined ? undefined : new StalePeerHold(reader, publisher.processor, (cap) => publisher.cap(cap));
    this.#delivered = new DeliveredWatermark((value) => {
      this.#hold?.check(); // a peer gone quiet is held for before this rise is put
      publisher?.update(value);
      this.emit('watermark', value);
    });
    parts.reader?.on('watermark', (value) => this.emit('sharedWatermark', value));
    parts.reader?.on('error', (error) => this.emit('watermarkError', error));
    parts.upstream?.on('error', (error) => this.emit('watermarkError', error));
    const signal = parts.options.signal;
    if (signal?.aborted) this.stop();
    else signal?.addEventListener('abort', () => this.stop(), { once: true });
    this.done = this.#run();
  }

  /** The consumer's AckWait, ms (an existing consumer's own, whatever `ackWait` said). */
  get ackWait(): number {
    return this.#parts.ackWait;
  }

  /** The run's counts so far. */
  get stats(): JetStreamStats {
    const sink = this.#parts.sink;
    return { ...this.#counts, published: sink.published, duplicates: sink.duplicates, unwritable: sink.unwritable };
  }

  /** This process's delivered output watermark: nothing below it is still on its way to the sink (late records aside). */
  get watermark(): number {
    return this.#delivered.value;
  }

  /**
   * The minimum output watermark over the live processes publishing to the
   * watermark bucket (this one among them); `-Infinity` without a bucket
   * or before any has published. Only rises.
   */
  get sharedWatermark(): number {
    return this.#parts.reader?.minimum ?? Number.NEGATIVE_INFINITY;
  }

  /** Stop reading; what was read is finished, published and settled, then {@link done} resolves. */
  stop(): void {
    this.#reading.abort();
  }

  async #run(): Promise<JetStreamStats> {
    const { consumer, engine, options, nc } = this.#parts;
    const onAck = (trace: { offset: number }) => this.#deliveries.handedOver(trace.offset);
    const onWatermark = (value: number) => this.#delivered.engine(value);
    engine.on('ack', onAck);
    engine.on('watermark', onWatermark);
    try {
      // consume() asks for more once its buffer was iterated: the engine's input buffer bounds what is booked here.
      const messages = await consumer.consume({ max_messages: engine.options.buffers.input.messages });
      const signal = this.#reading.signal;
      if (signal.aborted) messages.stop();
      else signal.addEventListener('abort', () => messages.stop(), { once: true });
      watchConsumer(
        nc,
        consumer,
        messages,
        {
          ...(options.stopWhenDrained ? { drained: { held: () => this.#deliveries.size, then: () => this.stop() } } : {}),
          wantsState: () => this.#delivered.handedBackCount > 0 || this.#hold?.waiting === true,
          consumer: (ackFloor, delivered, askedAt) => {
            this.#delivered.ackFloor(ackFloor);
            this.#hold?.consumer(ackFloor, delivered, askedAt);
          },
          failed: (error) => this.#fail(error),
        },
        signal,
      );
      const upstream = this.#parts.upstream;
      const source = jetStreamSource(messages, this.#deliveries, options.codec, this.#counts, upstream === undefined ? undefined : () => upstream.minimum);
      for await (const record of engine.process(source, { signal })) this.#take(record);
    } catch (error) {
      this.#failure ??= error as Error;
    } finally {
      this.stop();
      engine.off('ack', onAck);
      engine.off('watermark', onWatermark);
      while (this.#publishes.size > 0) await Promise.allSettled([...this.#publishes]);
      this.#leftBehind = this.#counts.returned + this.#deliveries.size;
      this.#deliveries.stop();
      this.#hold?.stop();
      this.#delivered.settle();
      this.#delivered.stop();
      await this.#close();
    }
    if (this.#failure !== undefined) throw this.#failure;
    return this.stats;
  }

  /** A record the engine handed over: published (a retry instead `nak`s its message). */
  #take(record: EngineRecord): void {
    const seq = record.offset;
    if (record.kind === 'failed') {
      const retry = this.#retry(record);
      if (retry !== undefined) {
        if (record.late !== true) this.#delivered.handedBack(seq, record.eventTime);
        this.#deliveries.judge(seq, retry);
        return;
      }
      this.#deliveries.judge(seq, { kind: 'term' }); // its failed record, at the dead-letter subject, says why
    }
    const index = this.#indexes.get(seq) ?? 0;
    this.#indexes.set(seq, index + 1);
    this.#publish(record, index);
  }

  /** Publish `record` (the `index`th of its message); what a failed publish does to its message, see {@link #publishFailed}. */
  #publish(record: EngineRecord, index: number | 'failed'): void {
    const seq = record.offset;
    const deliveries = this.#deliveries;
    deliveries.publishing(seq);
    const mark = this.#delivered.publishing(record.eventTime, record.late === true || record.kind === 'failed');
    const publish = this.#parts.sink.publish(record, seq, index, deliveries.deliveryCount(seq)).then(
      () => {
        this.#delivered.confirmed(mark);
        deliveries.published(seq);
      },
      (error: unknown) => {
        this.#counts.publishFailures++;
        this.#publishFailed(record, error as Error);
        this.#delivered.confirmed(mark); // after the hand-back hold, if any: the watermark never passes the record
        deliveries.published(seq);
        this.emit('publishError', error as Error);
      },
    );
    this.#publishes.add(publish);
    void publish.finally(() => this.#publishes.delete(publish));
  }

  /**
   * A publish failed. A record of a message with deliveries left: the
   * message goes back (`nak` with the backoff) and its event time is held.
   * Out of deliveries: a failed record saying why goes to the dead-letter
   * subject, then the message is `term`ed. A failed record that cannot be
   * dead-lettered ends the run (the message goes back): nothing else can be
   * done with it.
   */
  #publishFailed(record: EngineRecord, error: Error): void {
    const seq = record.offset;
    const count = this.#deliveries.deliveryCount(seq);
    const back: Verdict = { kind: 'nak', delay: backoff(this.#parts.retry, count) };
    if (record.kind === 'failed') {
      this.#deliveries.judge(seq, back, true);
      this.#fail(new BrokerError(`cannot publish a failed record to ${this.#parts.options.deadLetterSubject ?? this.#parts.options.sinkSubject}: ${error.message}`, { cause: error }));
      return;
    }
    if (count < this.#parts.retry.attempts) {
      if (record.late !== true) this.#delivered.handedBack(seq, record.eventTime);
      this.#deliveries.judge(seq, back, true);
      return;
    }
    this.#deliveries.judge(seq, { kind: 'term' });
    const failure = new BrokerError(`cannot publish to ${this.#parts.options.sinkSubject} after ${count} deliveries: ${error.message}`, { cause: error });
    this.#publish({ kind: 'failed', offset: seq, key: record.key, eventTime: record.eventTime, input: record.value, error: failure, attempts: count }, 'failed');
  }

  /** A `nak` with the backoff delay when `record` may be tried again: it reached a worker and deliveries are left. */
  #retry(record: FailedRecord): Verdict | undefined {
    if (record.attempts === 0 || record.error instanceof InvalidMessageError || this.#parts.options.retries === 'engine') return undefined;
    const count = this.#deliveries.deliveryCount(record.offset);
    if (count >= this.#parts.retry.attempts) return undefined;
    return { kind: 'nak', delay: backoff(this.#parts.retry, count) };
  }

  readonly #settled = (msg: JsMsg, verdict: Verdict): void => {
    this.#indexes.delete(msg.seq);
    if (verdict.kind === 'ack') this.#counts.acked++;
    else if (verdict.kind === 'nak') this.#counts.naked++;
    else this.#counts.termed++;
  };

  /** End the run with `error` (the first one counts): reading stops, what was read settles. */
  #fail(error: Error): void {
    this.#failure ??= error;
    this.stop();
  }

  /**
   * Let go of everything, each part on its own (one that fails does not keep
   * the others open): the watermark key (removed on a clean end with nothing
   * handed back still held or left unprocessed: else it goes stale, as a dead
   * process's does, and the peers hold for it: see `StalePeerHold`),
   * the readers, the engine, then the connection (its acks flushed).
   */
  async #close(): Promise<void> {
    const { publisher, reader, upstream, engine, nc } = this.#parts;
    const clean = this.#failure === undefined && this.#delivered.handedBackCount === 0 && this.#leftBehind === 0;
    const steps: (() => Promise<unknown> | undefined)[] = [
      () => publisher?.close({ remove: clean }),
      () => reader?.close(),
      () => upstream?.close(),
      () => engine.close(),
      () => (nc.isClosed() ? undefined : nc.drain()),
    ];
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        this.#failure ??= error instanceof TidemarkError ? error : new BrokerError(`closing the run failed: ${(error as Error).message}`, { cause: error });
      }
    }
  }
}
