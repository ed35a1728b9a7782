import type { PartitionId } from '@tidemark/watermark';
import { now } from '@tidemark/workers';
import { byteShare } from '../buffers/buffer-limit.js';
import type { BufferFill, BufferLimit, BufferName, Overflow } from '../buffers/buffer-limit.js';
import { OutputBuffer } from '../buffers/output-buffer.js';
import { OrderedRelease, UnorderedRelease } from '../buffers/release-queue.js';
import type { Shed } from '../buffers/shed.js';
import type { AdaptiveConcurrency } from '../concurrency/adaptive-concurrency.js';
import { Dispatcher } from '../dispatch/dispatcher.js';
import type { SourceRecord } from '../message.js';
import type { ResolvedOptions } from '../options/options.js';
import { WindowStage } from '../reduce/window-stage.js';
import { Intake } from '../source/intake.js';
import { isPartitioned } from '../source/partitioned.js';
import { SourceReader } from '../source/source-reader.js';
import type { Source } from '../source/source-reader.js';
import type { Completion, Transport } from '../transport/transport.js';
import { BatchMode } from './batch-mode.js';
import { buffersOf } from './buffer-fills.js';
import type { MessageState } from './message-state.js';
import { MessageTracker } from './message-tracker.js';
import { asyncReading } from './reading-rule.js';
import type { ReadingRule } from './reading-rule.js';
import { ReadGate } from './read-gate.js';
import type { RunEvents, RunHooks, RunSetup } from './run-hooks.js';
import { SourceIdleness } from './source-idleness.js';
import { turnClock } from './turn-clock.js';
import { Wakeup } from './wakeup.js';

/**
 * One `process()` call, in one direction: the reader reads the source into
 * the dispatcher (input buffer, then fastq slots at the transport); the
 * engine hands each completion to `complete()`; settled messages wait in the
 * output buffer until the consumer takes them, in the order its release
 * queue allows; a message is acked once the consumer has taken all its
 * outputs, and the watermark is published on ack. The tracker owns every
 * message's state on the way.
 */
export class Run {
  readonly #events: RunEvents;
  /** The run's messages and what follows from them (counters, offsets, watermark): read it, only the run moves it. */
  readonly tracker: MessageTracker;
  readonly #tracker: MessageTracker;
  readonly #dispatcher: Dispatcher;
  readonly #output: OutputBuffer;
  readonly #reading: ReadingRule;
  readonly #reader: SourceReader<SourceRecord>;
  readonly #intake: Intake;
  readonly #consumer = new Wakeup();
  readonly #limits: Readonly<Record<BufferName, BufferLimit>>;
  readonly #gate: ReadGate;
  /** When the source is idle: a partial batch is sealed, and idle partitions stop holding the watermark. */
  readonly #idle: SourceIdleness;
  readonly #abort = (): void => this.stop();
  /** The partitions a `partitioned()` source declares: they hold the watermark from when reading starts. */
  readonly #partitions: readonly PartitionId[];
  #readLoop: Promise<void> | undefined;
  #failure: { error: unknown } | undefined;
  /** The adaptive controller steering this run's target, if any. */
  readonly #adaptive: AdaptiveConcurrency | undefined;
  /** Windowed reduce, with the `reduce` option. */
  readonly #windows: WindowStage | undefined;

  constructor(
    source: Source<SourceRecord | readonly SourceRecord[]>,
    options: ResolvedOptions,
    transport: Transport,
    events: RunEvents,
    { ids, chunked, adaptive }: RunSetup,
  ) {
    this.#events = events;
    const limits = options.buffers;
    this.#limits = limits;
    const sized = Number.isFinite(limits.input.bytes) || Number.isFinite(limits.processing.bytes);
    this.#intake = new Intake(sized, ids, options.priority);
    this.tracker = this.#tracker = new MessageTracker(options.watermark);
    this.#partitions = isPartitioned(source) ? source.partitions : [];
    const batch = options.mode === 'batch' ? new BatchMode(options.batchSize) : undefined;
    this.#reading = batch ?? asyncReading;
    const release = batch ?? (options.ordering === 'ordered' ? new OrderedRelease() : new UnorderedRelease());
    this.#output = new OutputBuffer(release, limits.output);
    const priorityAging = options.priority === undefined ? undefined : options.priorityAging;
    const windows = options.reduce && new WindowStage(options.reduce, this.#tracker, (state) => this.#dispatcher.urgent(state), ids);
    this.#windows = windows;
    this.#dispatcher = new Dispatcher(transport, this.#tracker, this.#output, limits, options.retry, {
      priorityAging,
      steer: adaptive,
      keyed: options.ordering === 'key',
      outgoing: windows === undefined ? undefined : (state) => windows.outgoing(state),
    });
    this.#adaptive = adaptive;
    this.#gate = new ReadGate(options, this.#dispatcher, this.#tracker, this.#reading, windows);
    const idle = (): void => {
      this.#seal();
      this.#publish(now());
    };
    this.#idle = new SourceIdleness(options.watermark.idleAfter, () => this.#tracker.nextIdleAt, idle, (at) => this.#publish(at));
    const reading = {
      canRead: () => this.#gate.mayRead(),
      accept: (item: SourceRecord) => this.#accept(item),
      waiting: (waiting: boolean) => void (this.#idle.waiting = waiting),
    };
    this.#reader = new SourceReader<SourceRecord>(source, reading, chunked);
  }

  /** Messages at the workers right now. */
  get processing(): number {
    return this.#dispatcher.running;
  }

  /** Fill and capacity of the input, processing and output buffers, in messages and (when measured) bytes. */
  get buffers(): Record<BufferName, BufferFill> {
    return buffersOf(this.#dispatcher, this.#output, this.#limits, this.#intake.sized);
  }

  /**
   * Stop reading; what is in flight still completes and is handed over. What waits in the input
   * buffer starts even if the output buffer is full: `close()` drains the workers whatever the consumer does.
   */
  stop(): void {
    this.#reader.stop();
    this.#dispatcher.stop();
    this.#windows?.keepOpen();
  }

  /** Resolves once nothing is at the workers, waiting for them, or backing off. */
  drained(): Promise<void> {
    return this.#dispatcher.drained();
  }

  /** A try came back from the transport; the main thread saw it at `at`. */
  complete(completion: Completion, at: number): void {
    let settled = this.#dispatcher.complete(completion, at);
    if (settled !== undefined && this.#windows !== undefined) {
      settled = this.#windows.settled(settled);
      // Held by its window: a stopped run may now be over (its open windows are left out).
      if (settled === undefined) this.#consumer.notify();
    }
    if (settled !== undefined) this.#settle(settled);
    // Its slot took a message from the input buffer (whether it settled or goes again after a backoff).
    this.#dispatcher.pump();
    if (this.#gate.wakes) this.#reader.room(); // room may have appeared for reading
  }

  // The consumer's side (record-iterator.ts, chunk-iterator.ts): open, take, ack what was handed over, close.

  /** Ready the transport while the source gives its first item, then read. */
  async open(hooks: RunHooks): Promise<void> {
    // The source starts being read while the workers start: some sources
    // lose what they produce before anything iterates them.
    this.#reader.prime();
    await hooks.start();
    const at = now();
    for (const partition of this.#partitions) this.#tracker.declare(partition, at);
    this.#adaptive?.attach(this.#dispatcher, () => byteShare(this.buffers, ['processing', 'output']), (error) => {
      this.#failure ??= { error };
      this.stop();
    });
    if (hooks.signal?.aborted === true) this.stop();
    hooks.signal?.addEventListener('abort', this.#abort, { once: true });
    this.#readLoop = this.#reader
      .run()
      .then(
        // The end of the input closes every window (unless the run was stopped first).
        () => this.#windows?.closeAll(),
        (error: unknown) => {
          this.#failure = { error };
          this.#windows?.keepOpen();
        },
      )
      .finally(() => {
        this.#seal();
        this.#consumer.notify();
      });
  }

  /** The next settled message that may leave now, handed over (there is room in the output buffer again). */
  take(): MessageState | undefined {
    const state = this.#output.take();
    if (state === undefined) return undefined;
    this.#dispatcher.pump();
    this.#tracker.emit(state);
    return state;
  }

  /** Whether the run is over: the source is done and every message was acked. */
  get over(): boolean {
    return this.overBut(0);
  }

  /** Whether the source is done and nothing is left but `held` messages handed over and not yet acked. */
  overBut(held: number): boolean {
    // Messages left in windows kept open (the run was stopped) stay in flight, unacked, and do not hold the run.
    return this.#reader.done && this.#tracker.size - (this.#windows?.kept ?? 0) === held;
  }

  /** Resolves when something may be ready to take (or the run may be over). */
  ready(): Promise<void> {
    return this.#consumer.wait();
  }

  /** After the last record: throws the source's error, or a `concurrency` listener's (that ends the run as a source error does). */
  async ended(): Promise<void> {
    await this.#readLoop;
    if (this.#failure !== undefined) throw this.#failure.error;
  }

  /** The consumer is done (or went away). */
  close(hooks: RunHooks): void {
    if (!this.over) {
      // The consumer went away.
      this.#reader.stop(false);
      this.#dispatcher.abandon();
    }
    this.#adaptive?.detach();
    this.#idle.stop();
    hooks.signal?.removeEventListener('abort', this.#abort);
    hooks.finished();
  }

  #accept(item: SourceRecord): void {
    const tracker = this.#tracker;
    const state = this.#intake.take(item, this.#reading.read());
    this.#windows?.refuse(state);
    tracker.read(state);
    if (state.error !== undefined) {
      tracker.fail(state, state.error);
      this.#settle(state);
    } else if (this.#windows?.assign(state) === false) {
      tracker.tooLate(state);
      this.#settle(state);
    } else {
      const shed = this.#dispatcher.admit(state);
      if (shed !== undefined) this.#shed(shed);
      if (state.stage === 'read') tracker.queue(state, state.readAt);
      this.#dispatcher.pump();
    }
    if (this.#reading.full) this.#seal();
    this.#windows?.advance();
  }

  /** A batch is complete (batch mode): it may leave once all of it settled. */
  #seal(): void {
    if (this.#reading.seal()) this.#consumer.notify();
  }

  /** Record what a full buffer's policy shed. */
  #shed(shed: Shed): void {
    const { buffer, policy } = shed;
    for (const state of shed.dropped) this.#drop(state, { buffer, policy });
    const rejected = shed.rejected;
    if (rejected === undefined) return;
    this.#tracker.reject(rejected, buffer, this.#limits[buffer]);
    // One the output buffer rejected is already in it, as a failed record.
    if (buffer !== 'output') this.#settle(rejected);
  }

  /** Acked and dropped: no outputs, reported by the `ack` event and counted. */
  #drop(state: MessageState, overflow: Overflow): void {
    this.#tracker.drop(state, overflow, turnClock.now());
    this.#output.skip(state.seq);
    this.#acked(state);
    this.#consumer.notify(); // the ordered queue may have been waiting for it
    this.#dispatcher.left();
  }

  /** A message completed or failed for good: into the output buffer, or shed by its policy. */
  #settle(state: MessageState): void {
    const shed = this.#output.add(state);
    if (shed !== undefined) this.#shed(shed);
    this.#consumer.notify();
  }

  /** All of `state`'s records were handed over: it leaves the run (a window's result takes its messages along). */
  ack(state: MessageState): void {
    this.#tracker.ack(state, turnClock.now());
    if (state.window === undefined) return this.#acked(state);
    (this.#windows as WindowStage).handedOver(state, (member) => this.#acked(member));
    // At the in-flight bound a sliding window's result may free no message (each is in later windows too):
    // the reader asks again, and the next window closes early.
    this.#reader.room();
  }

  /** After `state` left the run: tell the engine, publish the watermark, make room for reading. */
  #acked(state: MessageState): void {
    this.#events.ack(state);
    this.#publish();
    if (this.#gate.wakes) this.#reader.room();
    this.#idle.left(this.#tracker.size);
  }

  /** Publish the output watermark if it rose; the window clock moves too (an idle partition moves it without a read). */
  #publish(at?: number): void {
    const watermark = this.#tracker.publish(at);
    if (watermark !== undefined) this.#events.watermark(watermark);
    this.#windows?.advance();
  }
}
