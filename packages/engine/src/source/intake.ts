import { BoundedOutOfOrderness } from '@tidemark/watermark';
import { checkItem } from './check-item.js';
import type { CheckedItem } from './check-item.js';
import type { SourceRecord } from '../message.js';
import { now } from '../run/message-state.js';
import type { MessageState } from '../run/message-state.js';
import { sizeOf } from '../buffers/size-of.js';

/**
 * Where a source item becomes a tracked message: checked, numbered in read
 * order, stamped with its read time, event time and the input watermark it
 * is read under (bounded out-of-orderness), and weighed when a byte limit
 * needs its size.
 */
export class Intake {
  /** The input watermark. */
  readonly watermark: BoundedOutOfOrderness;
  readonly #sized: boolean;
  readonly #firstId: number;
  #seq = 0;

  /** `firstId`: where this run's message ids start (ids stay unique across an engine's runs). */
  constructor(watermark: { maxOutOfOrderness: number; idleAfter: number }, sized: boolean, firstId: number) {
    this.watermark = new BoundedOutOfOrderness(watermark);
    this.#sized = sized;
    this.#firstId = firstId;
  }

  /** Whether input sizes are measured (a byte limit on the input or processing buffer). */
  get sized(): boolean {
    return this.#sized;
  }

  /** The state of one item read now, in batch `batch` (-1 in async mode). */
  take(item: SourceRecord, batch: number): MessageState {
    const readAt = now();
    const checked = checkItem(item);
    const seq = this.#seq++;
    const { eventTime, watermark, late } = this.#observe(checked, readAt);
    return {
      id: this.#firstId + seq,
      seq,
      offset: checked.offset ?? seq,
      key: checked.key,
      eventTime,
      watermark,
      late,
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

  /**
   * The event time of a message (the read time when the source gives none)
   * and the input watermark it is read under. An item that failed without an
   * event time of its own does not move the watermark: it takes the current
   * one, so it is on time and cannot make later messages late.
   */
  #observe(checked: CheckedItem, readAt: number): { eventTime: number; watermark: number; late: boolean } {
    if (checked.eventTime === undefined && checked.error !== undefined) {
      const watermark = this.watermark.current();
      return { eventTime: Number.isFinite(watermark) ? watermark : readAt, watermark, late: false };
    }
    const eventTime = checked.eventTime ?? readAt;
    return { eventTime, ...this.watermark.observe(eventTime, readAt) };
  }
}
