import { WatermarkTracker } from '@tidemark/watermark';
import type { BufferLimit, BufferName, Overflow } from '../buffers/buffer-limit.js';
import { BufferFullError } from '../errors.js';
import type { TidemarkError } from '../errors.js';
import type { Completion } from '../transport/transport.js';
import type { MessageState, MessageTrace } from './message-state.js';
import { emptyStats } from './run-stats.js';
import type { RunStats } from './run-stats.js';
import { mayMove } from './stages.js';
import type { Stage } from './stages.js';

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
  /** In read order: the first is the oldest in flight. */
  readonly #states = new Map<number, MessageState>();
  readonly #watermark = new WatermarkTracker();
  #highestOffset = -1;
  #published = Number.NEGATIVE_INFINITY;

  /** Messages read and not yet acked. */
  get size(): number {
    return this.#states.size;
  }

  /** The in-flight message with `id`, if it still is. */
  get(id: number): MessageState | undefined {
    return this.#states.get(id);
  }

  /** A message was just read, under input watermark `state.watermark`; `input` is the input watermark after it. */
  read(state: MessageState, input: number): void {
    if (state.stage !== 'read') this.#refuse(state, 'read');
    this.#states.set(state.id, state);
    this.stats.read++;
    if (state.late) this.stats.late++;
    if (state.offset > this.#highestOffset) this.#highestOffset = state.offset;
    this.#watermark.insert(state.id, state.watermark);
    this.#watermark.advanceInput(input);
  }

  /** Into the input buffer: just read, or back from a retry's backoff. */
  queue(state: MessageState, at: number): void {
    if (state.stage === 'dispatched') this.#refuse(state, 'queued (a try came back untried: requeue)');
    this.#move(state, 'queued');
    state.queuedAt = at;
  }

  /** Handed to the transport for a try. */
  dispatch(state: MessageState, at: number): void {
    this.#move(state, 'dispatched');
    state.attempts++;
    state.dispatchedAt = at;
  }

  /**
   * A try came back (`at` is when the main thread saw it); its times are
   * recorded whatever its result. A try whose times the transport does not
   * know (0: its worker died) ran for no time at its dispatch.
   */
  tried(state: MessageState, completion: Completion, at: number): void {
    state.startedAt = completion.startedAt || state.dispatchedAt;
    state.endedAt = completion.endedAt || state.startedAt;
    state.threadId = completion.threadId;
    state.completedAt = at;
  }

  /** The try succeeded with `values`. */
  complete(state: MessageState, values: unknown[]): void {
    this.#move(state, 'completed');
    state.outcome = 'completed';
    state.values = values;
  }

  /** The try failed and another is due after a backoff. */
  retry(state: MessageState): void {
    this.#move(state, 'retrying');
    this.stats.retried++;
  }

  /** Its worker died before it started: back to the queue, and the try does not count. */
  requeue(state: MessageState, at: number): void {
    if (state.stage !== 'dispatched') this.#refuse(state, 'queued untried');
    this.#move(state, 'queued');
    state.queuedAt = at;
    state.attempts--;
  }

  /** Failed for good with `error`: a failed record. */
  fail(state: MessageState, error: TidemarkError): void {
    this.#move(state, 'failed');
    state.outcome = 'failed';
    state.values = [];
    state.error = error;
  }

  /** A full `buffer` with policy `reject` turned it away: a failed record with a {@link BufferFullError}. */
  reject(state: MessageState, buffer: BufferName, limit: BufferLimit): void {
    this.fail(state, new BufferFullError(buffer, limit));
    state.outcome = 'rejected';
    state.overflow = { buffer, policy: 'reject' };
  }

  /** The consumer is being handed its outputs (or its failed record); the run counts each output as it goes. */
  emit(state: MessageState): void {
    if (state.stage === 'failed') {
      this.stats.failed++;
      return;
    }
    this.#move(state, 'emitted');
  }

  /** A full buffer's drop policy took it: acked at once, without outputs. */
  drop(state: MessageState, overflow: Overflow, at: number): void {
    this.#move(state, 'dropped');
    state.outcome = 'dropped';
    state.overflow = overflow;
    state.values = [];
    this.stats.dropped++;
    this.ack(state, at);
  }

  /** Its outputs were all taken (or it was dropped): it leaves the run. */
  ack(state: MessageState, at: number): void {
    if (state.stage === 'emitted') this.#move(state, 'acked');
    else if (state.stage !== 'failed' && state.stage !== 'dropped') this.#refuse(state, 'acked');
    state.ackedAt = at;
    this.#states.delete(state.id);
    this.#watermark.complete(state.id);
    this.stats.acked++;
  }

  /** The input watermark rose without a message (idle advance). */
  advanceInput(input: number): void {
    this.#watermark.advanceInput(input);
  }

  /** The output watermark as last published. */
  get watermark(): number {
    return this.#published;
  }

  /** The output watermark if it rose since it was last published (and publishes it), else undefined. */
  publish(): number | undefined {
    const watermark = this.#watermark.current();
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
    let lowest = Number.POSITIVE_INFINITY;
    for (const state of this.#states.values()) if (state.offset < lowest) lowest = state.offset;
    return Number.isFinite(lowest) ? lowest : this.#highestOffset + 1;
  }

  /** When the oldest in-flight message was read (epoch ms), if any is. */
  get oldestReadAt(): number | undefined {
    for (const state of this.#states.values()) return state.readAt;
    return undefined;
  }

  /** The states of the messages in flight, oldest first. */
  traces(): MessageTrace[] {
    return [...this.#states.values()];
  }

  #move(state: MessageState, to: Stage): void {
    if (!mayMove(state.stage, to)) this.#refuse(state, to);
    state.stage = to;
  }

  /** A move the table does not allow: an engine defect, never the user's input. */
  #refuse(state: MessageState, to: string): never {
    throw new Error(`message ${state.seq} (offset ${state.offset}) cannot move from ${state.stage} to ${to}`);
  }
}
