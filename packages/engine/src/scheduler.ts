import fastq from 'fastq';
import type { SerializedError } from '@tidemark/workers';
import { TransformError } from './errors.js';
import { now } from './message-state.js';
import type { MessageState } from './message-state.js';
import type { Transport } from './transport.js';

/** Retry settings, as resolved from the engine options. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly initial: number;
  readonly max: number;
}

/**
 * Keeps `concurrency` messages at the transport: a fastq queue whose
 * concurrency is the in-flight target (change it live with `concurrency`).
 * Its waiting list is the input buffer; a message that fails waits out its
 * backoff off the queue, so it holds no slot, then joins the queue again.
 */
export class Scheduler {
  readonly #queue: fastq.queue<MessageState>;
  readonly #transport: Transport;
  readonly #retry: RetryPolicy;
  readonly #settled: (state: MessageState) => void;
  readonly #backoffs = new Set<NodeJS.Timeout>();
  /** fastq's per-task "done" callbacks, by message. */
  readonly #slots = new Map<MessageState, fastq.done>();
  readonly #completion = (state: MessageState, failure: SerializedError | undefined, requeue?: boolean) =>
    this.#complete(state, failure, requeue === true);
  #retried = 0;

  /** `settled` is called once per message: completed, or failed for good. */
  constructor(transport: Transport, concurrency: number, retry: RetryPolicy, settled: (state: MessageState) => void) {
    this.#transport = transport;
    this.#retry = retry;
    this.#settled = settled;
    this.#queue = fastq(this, dispatch, concurrency);
  }

  /** Queue a message for its next try. */
  push(state: MessageState): void {
    state.stage = 'queued';
    this.#queue.push(state);
  }

  /** Messages waiting for a slot (the input buffer). */
  get queued(): number {
    return this.#queue.length();
  }

  /** Messages at the transport. */
  get running(): number {
    return this.#queue.running();
  }

  /** Messages waiting out a retry backoff. */
  get backingOff(): number {
    return this.#backoffs.size;
  }

  /** Retries started so far. */
  get retried(): number {
    return this.#retried;
  }

  /** The in-flight target. */
  get concurrency(): number {
    return this.#queue.concurrency;
  }

  set concurrency(value: number) {
    this.#queue.concurrency = value;
  }

  /** Called by fastq with `this` bound to the scheduler. */
  run(state: MessageState, done: fastq.done): void {
    state.stage = 'dispatched';
    state.attempts++;
    state.dispatchedAt = now();
    this.#slots.set(state, done);
    this.#transport.send(state, this.#completion);
  }

  #complete(state: MessageState, failure: SerializedError | undefined, requeue: boolean): void {
    // Completed before fastq's done() starts the next message in this slot,
    // so that in-flight intervals never overlap past the target.
    state.completedAt = now();
    const done = this.#slots.get(state);
    this.#slots.delete(state);
    done?.(null);
    if (requeue) {
      state.attempts--;
      this.push(state);
    } else if (failure === undefined) {
      state.stage = 'completed';
      this.#settled(state);
    } else if (state.attempts < this.#retry.attempts) {
      state.stage = 'retrying';
      this.#retried++;
      const timer = setTimeout(() => {
        this.#backoffs.delete(timer);
        this.push(state);
      }, backoff(this.#retry, state.attempts));
      this.#backoffs.add(timer);
    } else {
      state.stage = 'failed';
      state.error = new TransformError(failure);
      this.#settled(state);
    }
  }
}

function dispatch(this: Scheduler, state: MessageState, done: fastq.done): void {
  this.run(state, done);
}

/** Delay before try `attempt + 1`: exponential from `initial`, capped at `max`. */
export function backoff(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.max, policy.initial * 2 ** (attempt - 1));
}
