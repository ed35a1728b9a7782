import { PartitionedHandles } from '@tidemark/watermark';
import type { InFlight, PartitionId } from '@tidemark/watermark';
import type { BufferLimit, BufferName, Overflow } from '../buffers/buffer-limit.js';
import { BufferFullError } from '../errors.js';
import type { TidemarkError } from '../errors.js';
import type { Completion } from '../transport/transport.js';
import { noValues, snapshot } from './message-state.js';
import type { MessageState, MessageTrace } from './message-state.js';
import { CommittedOffsets } from './committed-offsets.js';
import { InFlightTable } from './in-flight-table.js';
import { emptyStats } from './run-stats.js';
import type { RunStats } from './run-stats.js';
import { movesFrom as from } from './stages.js';
import type { Stage } from './stages.js';

/** The partition of the records that name none. */
const DEFAULT_PARTITION = '';

/**
 * The one owner of a run's in-flight messages, from read to ack. Every
 * stage change goes through it and is checked against the table in
 * `stages.ts`; it alone writes a message's stage, outcome and times, and it
 * keeps what follows from them: the counters, the committed offset, the
 * oldest message in flight, and the output watermark (the heap in
 * `@tidemark/watermark`). The other parts of a run hold messages (buffers,
 * the dispatch queue) but never decide what state one is in.
 */
export class MessageTracker {
  readonly stats: RunStats = emptyStats();
  /** By id, and in read order: the first is the oldest in flight. */
  readonly #states = new InFlightTable<MessageState>();
  readonly #watermark: PartitionedHandles;
  readonly #offsets = new CommittedOffsets();
  /** Failed messages in flight whose failed record was handed over (their stage stays `failed`): next, the ack. */
  readonly #handedOver = new Set<number>();
  #published = Number.NEGATIVE_INFINITY;

  /** Each partition's input watermark: `maxOutOfOrderness` and `idleAfter` (ms), as the `watermark` option says. */
  constructor(watermark: { maxOutOfOrderness: number; idleAfter: number }) {
    this.#watermark = new PartitionedHandles(watermark);
  }

  /** Messages read and not yet acked. */
  get size(): number {
    return this.#states.size;
  }

  /** The in-flight message with `id`, if it still is. */
  get(id: number): MessageState | undefined {
    return this.#states.get(id);
  }

  /**
   * A partition the source will read from: it holds the output watermark
   * back from now until it reads or goes idle.
   */
  declare(partition: PartitionId, at: number): void {
    this.#watermark.declare(partition, at);
  }

  /**
   * A message was just read: it is in flight under its partition's input
   * watermark, which observes its event time (and says whether it is late).
   * An item that failed without an event time of its own takes the
   * partition's watermark as its event time, so it cannot move it.
   */
  read(state: MessageState): void {
    if (state.stage !== 'read') this.#refuse(state, 'read');
    const partition = state.partition ?? DEFAULT_PARTITION;
    if (Number.isNaN(state.eventTime)) {
      const current = this.#watermark.inputWatermark(partition) ?? Number.NEGATIVE_INFINITY;
      state.inFlight = this.#watermark.enter(state.id, partition, current, state.readAt);
      state.watermark = current;
      state.eventTime = Number.isFinite(current) ? current : state.readAt;
    } else {
      const watermarks = this.#watermark;
      const inFlight = watermarks.enter(state.id, partition, state.eventTime, state.readAt, state.sourceWatermark);
      state.inFlight = inFlight;
      state.watermark = inFlight.watermark;
      // Late against its partition's watermark, or below the output watermark
      // already published (a partition back from idle, or a new one, after the
      // others moved it on): no output goes below a published watermark unless late.
      if (watermarks.lastLate || state.eventTime < this.#published) {
        state.late = true;
        this.stats.late++;
      }
    }
    this.#add(state);
    this.stats.read++;
    this.#offsets.read(state);
  }

  /**
   * Windowed reduce: a window's result goes to a worker. It is in flight
   * (the run is not over while it is) but not a source message: it is not
   * counted, holds no watermark (the window's messages do) and has no
   * offset of its own (it shows its lowest message's).
   */
  readWindow(state: MessageState): void {
    if (state.stage !== 'read' || state.window === undefined) this.#refuse(state, 'read (a window)');
    this.#add(state);
  }

  /** Windowed reduce: too late for every window it falls in, its input is its late record, without a try. */
  tooLate(state: MessageState): void {
    this.#move(state, 'completed', from.tooLate);
    state.outcome = 'completed';
    state.values = [state.input];
    state.late = true;
    this.stats.tooLate++;
  }

  /** Windowed reduce: its add came back done; it waits until its windows' results were handed over. */
  hold(state: MessageState): void {
    this.#move(state, 'windowed', from.windowed);
  }

  /** Into the input buffer: just read, or back from a retry's backoff. */
  queue(state: MessageState, at: number): void {
    if (state.stage === 'dispatched') this.#refuse(state, 'queued (a try came back untried: requeue)');
    this.#move(state, 'queued', from.queued);
    state.queuedAt = at;
  }

  /** Handed to the transport for a try. */
  dispatch(state: MessageState, at: number): void {
    this.#move(state, 'dispatched', from.dispatched);
    state.attempts++;
    state.dispatchedAt = at;
  }

  /**
   * A try came back (`at`: when the main thread saw it): its times are kept, whatever its result.
   * Times the transport does not know (0: its worker died) make a try of no time at its dispatch.
   */
  tried(state: MessageState, completion: Completion, at: number): void {
    state.startedAt = completion.startedAt || state.dispatchedAt;
    state.endedAt = completion.endedAt || state.startedAt;
    state.threadId = completion.threadId;
    // One clock reading serves a whole drain: never before the try ended.
    state.completedAt = at > state.endedAt ? at : state.endedAt;
  }

  /** The try succeeded with `values`. */
  complete(state: MessageState, values: unknown[]): void {
    this.#move(state, 'completed', from.completed);
    state.outcome = 'completed';
    state.values = values;
  }

  /** The try failed and another is due after a backoff. */
  retry(state: MessageState): void {
    this.#move(state, 'retrying', from.retrying);
    this.stats.retried++;
  }

  /** Its worker died before it started: back to the queue, and the try does not count. */
  requeue(state: MessageState, at: number): void {
    if (state.stage !== 'dispatched') this.#refuse(state, 'queued untried');
    this.#move(state, 'queued', from.queued);
    state.queuedAt = at;
    state.attempts--;
  }

  /** Failed for good with `error`: a failed record. */
  fail(state: MessageState, error: TidemarkError): void {
    this.#move(state, 'failed', from.failed);
    state.outcome = 'failed';
    state.values = noValues;
    state.error = error;
  }

  /** A full `buffer` with policy `reject` turned it away: a failed record with a {@link BufferFullError}. */
  reject(state: MessageState, buffer: BufferName, limit: BufferLimit): void {
    // A buffer turns a message away as it arrives: just read, or just settled.
    if (state.stage !== 'read' && state.stage !== 'completed') this.#refuse(state, 'failed (rejected)');
    this.fail(state, new BufferFullError(buffer, limit));
    state.outcome = 'rejected';
    state.overflow = { buffer, policy: 'reject' };
  }

  /** The consumer is being handed its outputs (or its failed record, once); the run counts each output as it goes. */
  emit(state: MessageState): void {
    if (state.stage !== 'failed') return this.#move(state, 'emitted', from.emitted);
    if (!this.#failedWaiting(state)) this.#refuse(state, 'failed (its record handed over again)');
    this.#handedOver.add(state.id);
    this.stats.failed++;
  }

  /** A full buffer's drop policy took it: acked at once, without outputs. */
  drop(state: MessageState, overflow: Overflow, at: number): void {
    if (state.stage === 'failed' && !this.#failedWaiting(state)) this.#refuse(state, 'dropped (its failed record was handed over)');
    this.#move(state, 'dropped', from.dropped);
    state.outcome = 'dropped';
    state.overflow = overflow;
    state.values = noValues;
    this.stats.dropped++;
    this.#leave(state, at);
  }

  /** Its outputs (or its failed record) were all taken: it leaves the run. Once: a message that left has no move left. */
  ack(state: MessageState, at: number): void {
    if (state.stage === 'emitted') this.#move(state, 'acked', from.acked);
    else if (state.stage !== 'failed' || !this.#handedOver.delete(state.id)) this.#refuse(state, 'acked');
    this.#leave(state, at);
  }

  /** A failed message in flight whose failed record was not handed over yet: the only one that may be (or be dropped). */
  #failedWaiting(state: MessageState): boolean {
    return this.#states.get(state.id) === state && !this.#handedOver.has(state.id);
  }

  /** It leaves the run: acked. */
  #leave(state: MessageState, at: number): void {
    state.ackedAt = at;
    this.#states.delete(state);
    if (state.window !== undefined) return; // a window's result: not a source message
    this.#watermark.leave(state.inFlight as InFlight, at);
    state.inFlight = undefined;
    this.stats.acked++;
  }

  /** The lowest input watermark over the partitions (idle ones aside): windowed reduce's window clock (its messages stay in flight until their results are handed over). */
  get inputWatermark(): number {
    return this.#watermark.inputMinimum();
  }

  /** The output watermark as last published. */
  get watermark(): number {
    return this.#published;
  }

  /**
   * The output watermark if it rose since it was last published (and
   * publishes it), else undefined. With clock `at`, partitions with nothing
   * read and nothing in flight for `idleAfter` go idle first (the run's idle
   * timers pass it; an ack does not).
   */
  publish(at?: number): number | undefined {
    const watermark = this.#watermark.current(at);
    if (!(watermark > this.#published)) return undefined;
    this.#published = watermark;
    return watermark;
  }

  /**
   * Where a restart may resume without loss: the lowest offset still in
   * flight, or one past the highest offset read when nothing is (0 before
   * anything was read). As Kafka consumers and Numaflow commit.
   */
  get committedOffset(): number {
    return this.#offsets.committed(this.#states);
  }

  /** Per partition the source named, where a restart of that partition may resume without loss. */
  committedOffsets(): Map<PartitionId, number> {
    return this.#offsets.perPartition(this.#states);
  }

  /** When some partition may go idle (epoch ms; Infinity when none can): the run publishes then. */
  get nextIdleAt(): number {
    return this.#watermark.nextIdleAt();
  }

  /** When the oldest in-flight message was read (epoch ms), if any is. */
  get oldestReadAt(): number | undefined {
    return this.#states.oldest?.readAt;
  }

  /** The traces of the messages in flight as they are now (copies), oldest first. */
  traces(): MessageTrace[] {
    return Array.from(this.#states, snapshot);
  }

  /** In flight from now: an id already in flight would be an engine defect (ids are never given twice). */
  #add(state: MessageState): void {
    if (this.#states.get(state.id) !== undefined) throw new Error(`message ${state.seq} (offset ${state.offset}): id ${state.id} is already in flight`);
    this.#states.add(state);
  }

  /** Move `state` to `to`, whose allowed sources (`movesFrom` in stages.ts) the caller looked up once. */
  #move(state: MessageState, to: Stage, from: ReadonlySet<Stage>): void {
    if (!from.has(state.stage)) this.#refuse(state, to);
    (state as { stage: Stage }).stage = to; // the one place a stage is written
  }

  /** A move the table does not allow: an engine defect, never the user's input. */
  #refuse(state: MessageState, to: string): never {
    throw new Error(`message ${state.seq} (offset ${state.offset}) cannot move from ${state.stage} to ${to}`);
  }
}

