import type { BufferLimit, BufferName, Overflow } from './buffer-limit.js';
import { BufferFullError } from '../errors.js';
import type { MessageState } from '../run/message-state.js';
import type { Scheduler } from '../dispatch/scheduler.js';

/** What admission asks of its run. */
export interface AdmissionHooks {
  /** Ack `state` as dropped by `overflow`. */
  drop(state: MessageState, overflow: Overflow): void;
  /** `state` failed for good (rejected): hand it over as a failed record. */
  settle(state: MessageState): void;
}

/**
 * What becomes of a message just read: it joins the input buffer, or a full
 * buffer's policy takes it. The processing buffer's policy comes first (with
 * `drop-newest` or `reject` a message that cannot start at once is shed),
 * then the input buffer's. Under `block` nothing is decided here: the reader
 * does not read into a full input buffer, and the scheduler starts messages
 * only when there is room.
 */
export class Admission {
  readonly #scheduler: Scheduler;
  readonly #limits: Readonly<Record<BufferName, BufferLimit>>;
  readonly #hooks: AdmissionHooks;

  constructor(scheduler: Scheduler, limits: Readonly<Record<BufferName, BufferLimit>>, hooks: AdmissionHooks) {
    this.#scheduler = scheduler;
    this.#limits = limits;
    this.#hooks = hooks;
  }

  admit(state: MessageState): void {
    const scheduler = this.#scheduler;
    if (this.#limits.processing.overflow !== 'block' && scheduler.full) {
      this.#overflow(state, 'processing');
      return;
    }
    const input = scheduler.input;
    const policy = this.#limits.input.overflow;
    if (policy !== 'block' && input.full) {
      if (policy !== 'drop-oldest') {
        this.#overflow(state, 'input');
        return;
      }
      while (input.full && input.size > 0) this.#hooks.drop(input.shift() as MessageState, { buffer: 'input', policy });
    }
    scheduler.push(state);
  }

  /** `state` arrived at the full `buffer`, whose policy is drop-newest or reject. */
  #overflow(state: MessageState, buffer: BufferName): void {
    const limit = this.#limits[buffer];
    const policy = limit.overflow as Overflow['policy'];
    if (policy === 'reject') {
      reject(state, buffer, limit);
      this.#hooks.settle(state);
    } else {
      this.#hooks.drop(state, { buffer, policy });
    }
  }
}

/** Make `state` a failed record with a `BufferFullError`: `buffer` was full and its policy is `reject`. */
export function reject(state: MessageState, buffer: BufferName, limit: BufferLimit): void {
  state.stage = 'failed';
  state.overflow = { buffer, policy: 'reject' };
  state.values = [];
  state.error = new BufferFullError(buffer, limit);
}
