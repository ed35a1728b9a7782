import type { BufferLimit, BufferName } from '../buffers/buffer-limit.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { ResolvedOptions } from '../options/options.js';
import type { WindowStage } from '../reduce/window-stage.js';
import type { MessageTracker } from './message-tracker.js';
import type { ReadingRule } from './reading-rule.js';

/**
 * When a run reads: whether one more message may be read now, and whether
 * room freed by a message leaving should wake the reader.
 */
export class ReadGate {
  readonly #limits: Readonly<Record<BufferName, BufferLimit>>;
  readonly #dispatcher: Dispatcher;
  readonly #tracker: MessageTracker;
  readonly #reading: ReadingRule;
  readonly #windows: WindowStage | undefined;
  /** Messages in flight at most: the three buffers' message limits added up. */
  readonly #maxInFlight: number;
  /** The input buffer's fill at or below which freed room wakes the reader (see `wakes`); Infinity: always. */
  readonly #lowWater: number;

  constructor(
    { buffers: limits, mode, ordering }: Pick<ResolvedOptions, 'buffers' | 'mode' | 'ordering'>,
    dispatcher: Dispatcher,
    tracker: MessageTracker,
    reading: ReadingRule,
    windows: WindowStage | undefined,
  ) {
    this.#limits = limits;
    this.#dispatcher = dispatcher;
    this.#tracker = tracker;
    this.#reading = reading;
    this.#windows = windows;
    this.#maxInFlight = limits.input.messages + limits.processing.messages + limits.output.messages;
    // In runs only where waiting cannot lose or hold back a message: not with a policy that drops
    // (the reader would drop where it could have waited), batch mode (it reads a batch at a time)
    // or a per-key queue (its messages may wait in the input buffer for their key).
    const inRuns = limits.input.overflow === 'block' && mode !== 'batch' && ordering !== 'key';
    this.#lowWater = inRuns ? Math.floor(limits.input.messages / 2) : Number.POSITIVE_INFINITY;
  }

  /**
   * Whether to read one more message: never past the in-flight bound, nor,
   * when the input buffer blocks, into a full one, nor against the reading
   * rule (batch mode reads one batch at a time). A small input buffer is
   * enough: a few messages ready so that a freed slot is refilled at once;
   * more would only wait, adding latency and watermark lag.
   */
  mayRead(): boolean {
    const inFlight = this.#tracker.size;
    if (inFlight >= this.#maxInFlight) {
      // Full of messages held by windows that cannot close until more is read: the earliest closes early.
      this.#windows?.relieve();
      return false;
    }
    if (this.#limits.input.overflow === 'block' && this.#dispatcher.input.full) return false;
    return this.#reading.mayRead(inFlight);
  }

  /**
   * Whether room just freed should wake the reader. In runs (a blocking
   * input buffer, async mode, no per-key queue), only once the input buffer
   * is down to half: the reader then reads
   * a run of messages at once instead of one per freed slot, and the half
   * still waiting keeps every freed slot fed meanwhile.
   */
  get wakes(): boolean {
    return this.#dispatcher.input.size <= this.#lowWater;
  }
}
