import { checkItem } from './check-item.js';
import type { SourceRecord } from '../message.js';
import { turnClock } from '../run/turn-clock.js';
import type { MessageState } from '../run/message-state.js';
import { sizeOf } from '../buffers/size-of.js';

/**
 * Where a source item becomes a message: checked, numbered in read order,
 * stamped with its read time and event time, and weighed when a byte limit
 * needs its size. The tracker then reads it under its partition's input
 * watermark.
 */
export class Intake {
  readonly #sized: boolean;
  readonly #firstId: number;
  #seq = 0;

  /** `firstId`: where this run's message ids start (ids stay unique across an engine's runs). */
  constructor(sized: boolean, firstId: number) {
    this.#sized = sized;
    this.#firstId = firstId;
  }

  /** Whether input sizes are measured (a byte limit on the input or processing buffer). */
  get sized(): boolean {
    return this.#sized;
  }

  /** The state of one item read now, in batch `batch` (-1 in async mode). */
  take(item: SourceRecord, batch: number): MessageState {
    const readAt = turnClock.now();
    const checked = checkItem(item);
    const seq = this.#seq++;
    return {
      id: this.#firstId + seq,
      seq,
      offset: checked.offset ?? seq,
      key: checked.key,
      partition: checked.partition,
      // An item that failed without an event time of its own gets one from
      // the tracker: the watermark it is read under (it cannot move it).
      eventTime: checked.eventTime ?? (checked.error === undefined ? readAt : Number.NaN),
      watermark: Number.NEGATIVE_INFINITY,
      late: false,
      stage: 'read',
      outcome: undefined,
      attempts: 0,
      readAt,
      queuedAt: 0,
      dispatchedAt: 0,
      startedAt: 0,
      endedAt: 0,
      threadId: -1,
      completedAt: 0,
      ackedAt: 0,
      overflow: undefined,
      input: checked.input,
      bytes: this.#sized && checked.error === undefined ? (checked.bytes ?? sizeOf(checked.input)) : 0,
      batch,
      values: [],
      outputBytes: 0,
      error: checked.error,
      release: undefined,
    };
  }
}
