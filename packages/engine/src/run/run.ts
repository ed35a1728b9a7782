import { WatermarkTracker } from '@tidemark/watermark';
import { bufferFill } from '../buffers/buffer-limit.js';
import type { BufferFill, BufferLimit, BufferName, Overflow } from '../buffers/buffer-limit.js';
import type { EngineRecord, SourceRecord } from '../message.js';
import { failedRecord, now, outputRecord } from './message-state.js';
import type { MessageState, MessageTrace } from './message-state.js';
import type { ResolvedOptions } from '../options/options.js';
import { BatchRelease, OrderedRelease, UnorderedRelease } from '../buffers/release-queue.js';
import type { ReleaseQueue } from '../buffers/release-queue.js';
import { Admission } from '../buffers/admission.js';
import { IdleTimer } from './idle-timer.js';
import { Intake } from '../source/intake.js';
import { OutputBuffer } from '../buffers/output-buffer.js';
import { Scheduler } from '../dispatch/scheduler.js';
import { SourceReader } from '../source/source-reader.js';
import type { Source } from '../source/source-reader.js';
import type { RunEvents, RunHooks, RunStats } from './run-hooks.js';
import type { Transport } from '../transport/transport.js';
import { Wakeup } from './wakeup.js';

/**
 * One `process()` call: reads the source into the scheduler, hands settled
 * messages to the consumer in the order the release queue allows, acks each
 * message once the consumer has taken all its outputs, and publishes the
 * watermark on ack.
 */
export class Run {
  readonly stats: RunStats = { read: 0, emitted: 0, acked: 0, failed: 0, late: 0, retried: 0, dropped: 0 };
  readonly #options: ResolvedOptions;
  readonly #events: RunEvents;
  readonly #scheduler: Scheduler;
  readonly #output: OutputBuffer;
  readonly #batch: BatchRelease | undefined;
  readonly #reader: SourceReader<SourceRecord>;
  readonly #intake: Intake;
  readonly #admission: Admission;
  readonly #tracker = new WatermarkTracker();
  readonly #inFlight = new Map<number, MessageState>();
  readonly #consumer = new Wakeup();
  readonly #limits: Readonly<Record<BufferName, BufferLimit>>;
  /** Messages in flight at most: the three buffers' message limits added up. */
  readonly #maxInFlight: number;
  #stopped = false;
  #highestOffset = -1;
  #inBatch = 0;
  #batchNumber = 0;
  #published = Number.NEGATIVE_INFINITY;
  readonly #idle: IdleTimer;
  #drained: Promise<void> | undefined;
  #markDrained: () => void = () => {};

  constructor(source: Source<SourceRecord>, options: ResolvedOptions, transport: Transport, events: RunEvents) {
    this.#options = options;
    this.#events = events;
    const limits = options.buffers;
    this.#limits = limits;
    this.#maxInFlight = limits.input.messages + limits.processing.messages + limits.output.messages;
    this.#intake = new Intake(options.watermark, Number.isFinite(limits.input.bytes) || Number.isFinite(limits.processing.bytes));
    this.#scheduler = new Scheduler(transport, limits, options.retry, {
      settled: (state) => this.#settle(state),
      mayStart: (state) =>
        this.#stopped || this.#output.mayStart(state, this.#scheduler.running + this.#scheduler.backingOff),
    });
    this.#admission = new Admission(this.#scheduler, limits, {
      drop: (state, overflow) => this.#drop(state, overflow),
      settle: (state) => this.#settle(state),
    });
    let release: ReleaseQueue;
    if (options.mode === 'batch') {
      this.#batch = new BatchRelease();
      release = this.#batch;
    } else {
      release = options.ordering === 'ordered' ? new OrderedRelease() : new UnorderedRelease();
    }
    this.#output = new OutputBuffer(release, limits.output);
    this.#idle = new IdleTimer(options.watermark.idleAfter, () => this.#onIdle());
    this.#reader = new SourceReader(source, {
      canRead: () => this.#canRead(),
      accept: (item) => this.#accept(item),
      waiting: (waiting) => {
        this.#idle.waiting = waiting;
      },
    });
  }

  /** The output watermark. */
  get watermark(): number {
    return this.#published;
  }

  /** Messages read and not yet acked. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Messages at the workers right now. */
  get processing(): number {
    return this.#scheduler.running;
  }

  /** Fill and capacity of the input, processing and output buffers, in messages and (when measured) bytes. */
  get buffers(): Record<BufferName, BufferFill> {
    const scheduler = this.#scheduler;
    const limits = this.#limits;
    return {
      input: bufferFill(scheduler.input.size, scheduler.input.bytes, limits.input, this.#intake.sized),
      processing: bufferFill(scheduler.running, scheduler.runningBytes, { ...limits.processing, messages: scheduler.concurrency }, this.#intake.sized),
      output: bufferFill(this.#output.size, this.#output.bytes, limits.output, this.#output.sized),
    };
  }

  /**
   * Where a restart may resume without loss: the lowest offset still in
   * flight, or one past the highest offset read when nothing is (0 before
   * anything was read). As Kafka consumers and Numaflow commit.
   */
  get committedOffset(): number {
    let lowest = Number.POSITIVE_INFINITY;
    for (const state of this.#inFlight.values()) if (state.offset < lowest) lowest = state.offset;
    return Number.isFinite(lowest) ? lowest : this.#highestOffset + 1;
  }

  /** When the oldest in-flight message was read (epoch ms), if any is. */
  get oldestReadAt(): number | undefined {
    for (const state of this.#inFlight.values()) return state.readAt;
    return undefined;
  }

  /** The states of the messages in flight, oldest first. */
  traces(): MessageTrace[] {
    return [...this.#inFlight.values()];
  }

  /**
   * Stop reading; what is in flight still completes and is handed over. What
   * waits in the input buffer starts even if the output buffer is full, so
   * that `close()` can drain the workers whether or not the consumer goes on.
   */
  stop(): void {
    this.#reader.stop();
    this.#stopped = true;
    this.#scheduler.pump();
  }

  /** Resolves once nothing is at the workers or backing off (all settled). */
  drained(): Promise<void> {
    if (this.#isDrained()) return Promise.resolve();
    this.#drained ??= new Promise((resolve) => {
      this.#markDrained = resolve;
    });
    return this.#drained;
  }

  /**
   * The run's records. `start` readies the transport first; aborting
   * `signal` stops reading; `finished` is called when the iterator ends.
   */
  async *records(hooks: RunHooks): AsyncGenerator<EngineRecord, void, undefined> {
    const abort = () => this.stop();
    let failure: { error: unknown } | undefined;
    let reading: Promise<void> | undefined;
    try {
      await hooks.start();
      if (hooks.signal?.aborted === true) this.stop();
      hooks.signal?.addEventListener('abort', abort, { once: true });
      reading = this.#reader
        .run()
        .then(
          () => this.#sealBatch(),
          (error: unknown) => {
            failure = { error };
            this.#sealBatch();
          },
        )
        .finally(() => this.#consumer.notify());
      for (;;) {
        const state = this.#output.take();
        if (state === undefined) {
          if (this.#reader.done && this.#inFlight.size === 0) break;
          await this.#consumer.wait();
          continue;
        }
        this.#scheduler.pump(); // room in the output buffer
        // A failed message keeps `failed` as its final outcome (DESIGN.md: the
        // ack event and the metrics report it); an output is emitted, then acked.
        if (state.error !== undefined) {
          this.stats.failed++;
          yield failedRecord(state, state.error);
        } else {
          state.stage = 'emitted';
          for (const value of state.values) {
            this.stats.emitted++;
            yield outputRecord(state, value);
          }
        }
        this.#ack(state);
      }
      await reading;
      if (failure !== undefined) throw failure.error;
    } finally {
      this.#reader.stop(false); // a no-op unless the consumer went away
      this.#idle.stop();
      hooks.signal?.removeEventListener('abort', abort);
      hooks.finished();
    }
  }

  /**
   * Whether to read one more message: never past the in-flight bound, nor,
   * when the input buffer blocks, into a full one. (A small input buffer is
   * enough: a few messages ready so that a freed slot is refilled at once;
   * more would only wait, adding latency and watermark lag. Measured: 1/8 of
   * the target keeps efficiency and halves p50 latency against a full
   * target's worth.)
   */
  #canRead(): boolean {
    if (this.#inFlight.size >= this.#maxInFlight) return false;
    if (this.#limits.input.overflow === 'block' && this.#scheduler.input.full) return false;
    if (this.#batch === undefined) return true;
    if (this.#batch.sealed) return false;
    return this.#inBatch > 0 || this.#inFlight.size === 0;
  }

  #accept(item: SourceRecord): void {
    const state = this.#intake.take(item, this.#batch === undefined ? -1 : this.#batchNumber);
    this.stats.read++;
    if (state.offset > this.#highestOffset) this.#highestOffset = state.offset;
    if (state.late) this.stats.late++;
    this.#tracker.insert(state.seq, state.watermark);
    this.#tracker.advanceInput(this.#intake.watermark.current());
    this.#inFlight.set(state.seq, state);
    if (state.error !== undefined) this.#settle(state);
    else this.#admission.admit(state);
    if (this.#batch !== undefined && ++this.#inBatch === this.#options.batchSize) this.#sealBatch();
  }

  #sealBatch(): void {
    if (this.#batch === undefined || this.#inBatch === 0) return;
    this.#batch.seal(this.#inBatch);
    this.#inBatch = 0;
    this.#batchNumber++;
    this.#consumer.notify();
  }

  /** Acked and dropped: no outputs, reported by the `ack` event and counted. */
  #drop(state: MessageState, overflow: Overflow): void {
    state.stage = 'dropped';
    state.overflow = overflow;
    state.values = [];
    this.stats.dropped++;
    this.#output.skip(state.seq);
    this.#ack(state);
    this.#consumer.notify(); // the ordered queue may have been waiting for it
    if (this.#drained !== undefined && this.#isDrained()) this.#markDrained();
  }

  /** A message completed or failed for good: into the output buffer, or dropped by its policy. */
  #settle(state: MessageState): void {
    const policy = this.#limits.output.overflow as Overflow['policy'];
    for (const dropped of this.#output.add(state)) this.#drop(dropped, { buffer: 'output', policy });
    this.#consumer.notify();
    this.#reader.room();
    if (this.#drained !== undefined && this.#isDrained()) this.#markDrained();
  }

  #ack(state: MessageState): void {
    if (state.stage === 'emitted') state.stage = 'acked';
    state.ackedAt = now();
    this.#inFlight.delete(state.seq);
    this.#tracker.complete(state.seq);
    this.stats.acked++;
    this.stats.retried = this.#scheduler.retried;
    this.#events.ack(state);
    this.#publish();
    this.#reader.room();
    if (this.#inFlight.size === 0) this.#idle.arm();
  }

  #publish(): void {
    const watermark = this.#tracker.current();
    if (watermark > this.#published) {
      this.#published = watermark;
      this.#events.watermark(watermark);
    }
  }

  /** The source gave nothing for `idleAfter` ms: idle advance, and a partial batch is sealed. */
  #onIdle(): void {
    this.#sealBatch();
    if (this.#intake.watermark.idle(now(), this.#inFlight.size)) {
      this.#tracker.advanceInput(this.#intake.watermark.current());
      this.#publish();
    }
  }

  #isDrained(): boolean {
    return this.#scheduler.running === 0 && this.#scheduler.input.size === 0 && this.#scheduler.backingOff === 0;
  }
}
