import type { SerializedError } from '@tidemark/workers';
import type { BufferLimit } from '../buffers/buffer-limit.js';
import { TransformError } from '../errors.js';
import { InputBuffer } from '../buffers/input-buffer.js';
import { now } from '../run/message-state.js';
import type { MessageState } from '../run/message-state.js';
import type { Transport } from '../transport/transport.js';

/** Retry settings, as resolved from the engine options. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly initial: number;
  readonly max: number;
}

/** What the scheduler asks of its run. */
export interface SchedulerHooks {
  /** Called once per message: completed, or failed for good. */
  settled(state: MessageState): void;
  /** Whether `state` may start now as far as the output buffer is concerned. */
  mayStart(state: MessageState): boolean;
}

/**
 * Keeps the processing buffer full: starts the oldest message of the input
 * buffer whenever fewer than `concurrency` messages (and, with a byte limit,
 * fewer bytes than the limit) are at the transport and the output buffer
 * has room. A message that fails waits out its backoff off both buffers, so
 * it holds no slot, then goes back to the front of the input buffer.
 *
 * The input buffer is the engine's own, not a queue library's: overflow
 * policies take its oldest message out and weigh it in bytes.
 */
export class Scheduler {
  readonly input: InputBuffer;
  readonly #processing: BufferLimit;
  readonly #transport: Transport;
  readonly #retry: RetryPolicy;
  readonly #hooks: SchedulerHooks;
  readonly #backoffs = new Set<NodeJS.Timeout>();
  readonly #completion = (state: MessageState, failure: SerializedError | undefined, requeue?: boolean) =>
    this.#complete(state, failure, requeue === true);
  #concurrency: number;
  #running = 0;
  #runningBytes = 0;
  #retried = 0;
  #pumping = false;

  constructor(transport: Transport, limits: { input: BufferLimit; processing: BufferLimit }, retry: RetryPolicy, hooks: SchedulerHooks) {
    this.#transport = transport;
    this.#retry = retry;
    this.#hooks = hooks;
    this.input = new InputBuffer(limits.input);
    this.#processing = limits.processing;
    this.#concurrency = limits.processing.messages;
  }

  /** Queue a message read from the source (the run has applied the input policy). */
  push(state: MessageState): void {
    state.stage = 'queued';
    this.input.push(state);
    this.pump();
  }

  /** Messages at the transport. */
  get running(): number {
    return this.#running;
  }

  /** Bytes of the messages at the transport (0 unless a byte limit is set). */
  get runningBytes(): number {
    return this.#runningBytes;
  }

  /** Whether the processing buffer is full (by count, or by bytes). */
  get full(): boolean {
    return this.#running >= this.#concurrency || this.#runningBytes >= this.#processing.bytes;
  }

  /** Messages waiting out a retry backoff. */
  get backingOff(): number {
    return this.#backoffs.size;
  }

  /** Retries started so far. */
  get retried(): number {
    return this.#retried;
  }

  /** The in-flight target; raising it starts waiting messages at once. */
  get concurrency(): number {
    return this.#concurrency;
  }

  set concurrency(value: number) {
    this.#concurrency = value;
    this.pump();
  }

  /** Start waiting messages while there is room; call when room may have appeared. */
  pump(): void {
    // A completion inside send() (a synchronous transport) calls back in here.
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (;;) {
        const state = this.input.peek();
        if (state === undefined || this.full || !this.#hooks.mayStart(state)) break;
        this.input.shift();
        this.#start(state);
      }
    } finally {
      this.#pumping = false;
    }
  }

  #start(state: MessageState): void {
    state.stage = 'dispatched';
    state.attempts++;
    state.dispatchedAt = now();
    this.#running++;
    this.#runningBytes += state.bytes;
    this.#transport.send(state, this.#completion);
  }

  #complete(state: MessageState, failure: SerializedError | undefined, requeue: boolean): void {
    // Completed before the slot is given to the next message, so that
    // in-flight intervals never overlap past the target.
    state.completedAt = now();
    this.#running--;
    this.#runningBytes -= state.bytes;
    if (requeue) {
      state.attempts--;
      this.#again(state);
    } else if (failure === undefined) {
      state.stage = 'completed';
      this.#hooks.settled(state);
    } else if (state.attempts < this.#retry.attempts) {
      state.stage = 'retrying';
      this.#retried++;
      const timer = setTimeout(() => {
        this.#backoffs.delete(timer);
        this.#again(state);
      }, backoff(this.#retry, state.attempts));
      this.#backoffs.add(timer);
    } else {
      state.stage = 'failed';
      state.error = new TransformError(failure);
      this.#hooks.settled(state);
    }
    this.pump();
  }

  /** Back to the front of the input buffer: it was read before anything waiting there. */
  #again(state: MessageState): void {
    state.stage = 'queued';
    this.input.unshift(state);
    this.pump();
  }
}

/** Delay before try `attempt + 1`: exponential from `initial`, capped at `max`. */
export function backoff(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.max, policy.initial * 2 ** (attempt - 1));
}
