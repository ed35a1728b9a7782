import fastq from 'fastq';
import type { done as Done, queue as Queue } from 'fastq';
import { now } from '@tidemark/workers';
import { turnClock } from '../run/turn-clock.js';
import type { BufferLimit } from '../buffers/buffer-limit.js';
import { InputBuffer } from '../buffers/input-buffer.js';
import type { OutputBuffer } from '../buffers/output-buffer.js';
import { shedArriving } from '../buffers/shed.js';
import type { Shed } from '../buffers/shed.js';
import { TransformError } from '../errors.js';
import type { MessageState } from '../run/message-state.js';
import type { MessageTracker } from '../run/message-tracker.js';
import type { Completion, Outgoing, Transport } from '../transport/transport.js';
import { backoff } from './retry-policy.js';
import type { RetryPolicy } from './retry-policy.js';

/** Told of every try that comes back: the adaptive controller's latency samples. */
export interface Steer {
  /** A try dispatched at `dispatchedAt` came back `latency` ms later, with `running` messages at the transport. */
  tried(latency: number, dispatchedAt: number, running: number): void;
}

/** How the dispatcher serves its input buffer and who watches its tries. */
export interface DispatchOptions {
  /** With `priority`: ms per priority level of aging (Infinity: none). Undefined: first in, first out. */
  readonly priorityAging?: number | undefined;
  readonly steer?: Steer | undefined;
  /** `ordering: 'key'`: one message per key out at a time, each key's in read order. */
  readonly keyed?: boolean;
  /** What the transport is sent for a message, when not the message itself (windowed reduce: its add or result, to its key's worker). */
  readonly outgoing?: ((state: MessageState) => Outgoing) | undefined;
}

/**
 * The dispatch stage: keeps the in-flight target at the transport. Messages
 * wait in the input buffer (whose overflow policy applies as they arrive)
 * and move into a fastq queue whose `concurrency` is the target, so a fastq
 * slot is a processing slot: a message holds one from dispatch until its
 * try comes back. A message is moved on only while a slot is free, the
 * processing bytes are under their limit, and the output buffer has room
 * for it, so fastq's own queue stays empty except for messages going out
 * again (a retry after its backoff, or one a dead worker never started),
 * which `unshift` puts ahead of everything else. A retry waits out its
 * backoff holding no slot.
 *
 * Of fastq's hooks, `drain` (the last slot came free with nothing queued)
 * drives close. Reading is driven by the input buffer's room instead of
 * `saturated`/`empty`: fastq 1.20 has no `unsaturated`, and since messages
 * enter fastq only when a slot is free, `saturated` and `empty` fire only
 * for retries queued inside it.
 */
export class Dispatcher {
  readonly input: InputBuffer;
  readonly #queue: Queue<MessageState, void>;
  readonly #transport: Transport;
  readonly #tracker: MessageTracker;
  readonly #output: OutputBuffer;
  readonly #processing: BufferLimit;
  readonly #retry: RetryPolicy;
  readonly #backoffs = new Set<NodeJS.Timeout>();
  /** Slots beyond the target: messages waiting at the workers (see `Transport.lookahead`). */
  readonly #lookahead: number;
  readonly #steer: Steer | undefined;
  readonly #outgoing: ((state: MessageState) => Outgoing) | undefined;
  #runningBytes = 0;
  #stopped = false;
  /** The consumer went away: no try goes out again. */
  #abandoned = false;
  #onDrained: (() => void) | undefined;

  constructor(
    transport: Transport,
    tracker: MessageTracker,
    output: OutputBuffer,
    limits: { input: BufferLimit; processing: BufferLimit },
    retry: RetryPolicy,
    { priorityAging, steer, keyed, outgoing }: DispatchOptions = {},
  ) {
    this.#transport = transport;
    this.#tracker = tracker;
    this.#output = output;
    this.#retry = retry;
    this.input = new InputBuffer(limits.input, priorityAging, keyed);
    this.#steer = steer;
    this.#outgoing = outgoing;
    this.#processing = limits.processing;
    this.#lookahead = transport.lookahead;
    this.#queue = fastq(this.#send, limits.processing.messages + this.#lookahead);
    // The last slot came free with nothing waiting in fastq: a close may be waiting for it.
    this.#queue.drain = () => this.#checkDrained();
  }

  /** The fastq worker: a slot was given to `state`; `release` gives it back. */
  readonly #send = (state: MessageState, release: Done<void>): void => {
    state.release = release as () => void;
    this.#runningBytes += state.bytes;
    this.#tracker.dispatch(state, turnClock.now());
    this.#transport.send(this.#outgoing === undefined ? state : this.#outgoing(state));
  };

  /** Messages at the transport (each holds a slot): running, or the lookahead waiting at a worker. */
  get running(): number {
    return this.#queue.running();
  }

  /** Bytes of the messages at the transport (0 unless a byte limit is set). */
  get runningBytes(): number {
    return this.#runningBytes;
  }

  /** Whether the processing buffer is full (by count, or by bytes). */
  get full(): boolean {
    return this.#queue.running() >= this.#queue.concurrency || this.#runningBytes >= this.#processing.bytes;
  }

  /** Messages waiting out a retry backoff. */
  get backingOff(): number {
    return this.#backoffs.size;
  }

  /** The in-flight target (fastq's concurrency, less the lookahead). Raising it starts waiting messages at once. */
  get concurrency(): number {
    return this.#queue.concurrency - this.#lookahead;
  }

  set concurrency(value: number) {
    this.#queue.concurrency = value + this.#lookahead;
    this.pump();
  }

  /** Slots at the transport in all: the target and the lookahead. */
  get slots(): number {
    return this.#queue.concurrency;
  }

  /**
   * A message just read arrives: the processing buffer's policy first (with
   * `drop-newest` or `reject`, one that cannot start at once is shed), then
   * the input buffer's. Returns what was shed, if anything; the caller
   * records it and queues the message if it was taken.
   */
  admit(state: MessageState): Shed | undefined {
    const policy = this.#processing.overflow;
    if (policy !== 'block' && policy !== 'drop-oldest' && this.#atLimit()) return shedArriving('processing', policy, state);
    return this.input.add(state);
  }

  /**
   * Whether the processing buffer is at its limit: `buffers.processing`
   * (the fixed `concurrency`, or the adaptive controller's `max`), not the
   * target of the moment, which the controller may hold below it (at `min`
   * while it probes): a message is shed only when the buffer is full, and
   * one between the target and the limit waits for a slot.
   */
  #atLimit(): boolean {
    return this.#queue.running() >= this.#processing.messages + this.#lookahead || this.#runningBytes >= this.#processing.bytes;
  }

  /** Queued ahead of every waiting message (a window's result, which frees the messages it holds), and started if a slot is free. */
  urgent(state: MessageState): void {
    this.input.unshift(state);
    this.pump();
  }

  /** Move waiting messages into free slots; call when room may have appeared. */
  pump(): void {
    const queue = this.#queue;
    const input = this.input;
    while (queue.running() < queue.concurrency && this.#runningBytes < this.#processing.bytes) {
      const state = input.peek();
      if (state === undefined) return;
      if (!this.#stopped && !this.#output.mayStart(state, this.#reserved())) return;
      input.shift();
      queue.push(state);
    }
  }

  /**
   * A try came back (the main thread saw it at `at`). Returns the message
   * if it settled (completed, or failed for good); a failed try with tries
   * left goes out again after its backoff.
   */
  complete(completion: Completion, at: number): MessageState | undefined {
    const tracker = this.#tracker;
    const state = tracker.get(completion.id);
    if (state === undefined || state.stage !== 'dispatched') return undefined;
    const release = state.release as () => void;
    state.release = undefined;
    this.#runningBytes -= state.bytes;
    this.#steer?.tried(at - state.dispatchedAt, state.dispatchedAt, this.#queue.running());
    tracker.tried(state, completion, at);
    let settled: MessageState | undefined;
    if (completion.requeue) {
      tracker.requeue(state, at);
      this.#again(state);
    } else if (completion.error === undefined) {
      tracker.complete(state, completion.values ?? []);
      settled = state;
    } else if (state.attempts < this.#retry.attempts && !this.#abandoned) {
      tracker.retry(state);
      const timer = setTimeout(() => {
        this.#backoffs.delete(timer);
        tracker.queue(state, now());
        this.#again(state);
      }, backoff(this.#retry, state.attempts));
      this.#backoffs.add(timer);
    } else {
      tracker.fail(state, new TransformError(completion.error));
      settled = state;
    }
    if (settled !== undefined) this.input.settled(settled);
    release();
    return settled;
  }

  /**
   * Stop holding messages back for the output buffer: what waits here starts
   * even if it is full, so that a close drains the workers whether or not the
   * consumer goes on.
   */
  stop(): void {
    this.#stopped = true;
    this.pump();
  }

  /**
   * The consumer went away: messages backing off or queued for a slot go no
   * further (their records would never be taken); what is at the workers
   * ends there, and its completions find no one.
   */
  abandon(): void {
    this.#stopped = this.#abandoned = true;
    for (const timer of this.#backoffs) clearTimeout(timer);
    this.#backoffs.clear();
    this.#queue.kill();
    // kill() replaces the drain hook with a no-op: a close waiting for the last slot would never hear of it.
    this.#queue.drain = () => this.#checkDrained();
    this.#checkDrained();
  }

  /** Resolves once nothing is at the transport, waiting here, or backing off. */
  drained(): Promise<void> {
    if (this.#isDrained()) return Promise.resolve();
    return new Promise((resolve) => {
      const before = this.#onDrained;
      this.#onDrained = () => {
        before?.();
        resolve();
      };
    });
  }

  /**
   * A message's next try, ahead of everything waiting (it was read before
   * them): at the head of fastq's queue, which starts it on the next free
   * slot. With a processing byte limit it waits at the front of the input
   * buffer instead, because fastq would start it without asking the byte
   * limit.
   */
  #again(state: MessageState): void {
    if (Number.isFinite(this.#processing.bytes)) {
      this.input.unshift(state);
      this.pump();
    } else {
      this.#queue.unshift(state);
    }
  }

  /** Messages that will land in the output buffer: at the transport, queued in fastq, or backing off. */
  #reserved(): number {
    return this.#queue.running() + this.#queue.length() + this.#backoffs.size;
  }

  #isDrained(): boolean {
    return this.#queue.idle() && this.input.size === 0 && this.#backoffs.size === 0;
  }

  /** Call when something may have drained (a slot freed, a message dropped). */
  #checkDrained(): void {
    const resolve = this.#onDrained;
    if (resolve === undefined || !this.#isDrained()) return;
    this.#onDrained = undefined;
    resolve();
  }

  /** Something left the input buffer without a try (a drop): a close may be waiting for it. */
  left(): void {
    this.#checkDrained();
  }
}
