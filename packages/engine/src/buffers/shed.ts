import type { BufferName, Overflow } from './buffer-limit.js';
import type { MessageState } from '../run/message-state.js';

/**
 * What a full buffer's overflow policy did as a message arrived. The buffer
 * only applies its policy; the caller records the outcome of each message
 * through the run's tracker.
 */
export interface Shed {
  readonly buffer: BufferName;
  readonly policy: Overflow['policy'];
  /**
   * Taken out and dropped: the arriving message (`drop-newest`) or the
   * oldest waiting ones (`drop-oldest`); with `priority`, the lowest
   * effective priority first under either, waiting or arriving.
   */
  readonly dropped: readonly MessageState[];
  /** The arriving message was turned away (`reject`): it becomes a failed record with a `BufferFullError`. */
  readonly rejected: MessageState | undefined;
}

/** The arriving message shed by `buffer`'s drop-newest or reject policy. */
export function shedArriving(buffer: BufferName, policy: Overflow['policy'], state: MessageState): Shed {
  return policy === 'reject' ? { buffer, policy, dropped: [], rejected: state } : { buffer, policy, dropped: [state], rejected: undefined };
}
