/** Options of {@link BoundedOutOfOrderness}. */
export interface BoundedOutOfOrdernessOptions {
  /**
   * How far (in event-time units, usually ms) an event may trail the largest
   * event time seen and still be on time.
   * @default 0
   */
  maxOutOfOrderness?: number;
  /**
   * After this long (in the units of the `now` you pass, usually ms) with no
   * new message, {@link BoundedOutOfOrderness.idle} may close the
   * out-of-orderness window and raise the watermark to the largest event time.
   * @default Infinity (never)
   */
  idleAfter?: number;
}

/** What {@link BoundedOutOfOrderness.observe} says of one message. */
export interface Observation {
  /** The input watermark the message was read under (before it was seen). */
  readonly watermark: number;
  /** True when the message's event time was already below that watermark. */
  readonly late: boolean;
}

/**
 * The input watermark of a source whose events arrive at most
 * `maxOutOfOrderness` behind the largest event time seen so far:
 * `W = max eventTime seen - maxOutOfOrderness` (Flink's
 * `BoundedOutOfOrdernessWatermarks`). A message whose event time is below W
 * when it arrives is late: it is flagged and counted, and still processed.
 * The watermark never decreases. With `maxOutOfOrderness: Infinity` event
 * times never move it: only {@link raise} (the source's own watermark) and
 * idleness do.
 */
export class BoundedOutOfOrderness {
  readonly #bound: number;
  readonly #idleAfter: number;
  #maxEventTime = Number.NEGATIVE_INFINITY;
  #watermark = Number.NEGATIVE_INFINITY;
  #lastArrival = Number.NEGATIVE_INFINITY;
  #late = 0;

  constructor(options: BoundedOutOfOrdernessOptions = {}) {
    this.#bound = options.maxOutOfOrderness ?? 0;
    this.#idleAfter = options.idleAfter ?? Number.POSITIVE_INFINITY;
    // `!(x >= 0)` also rejects NaN, which would freeze or unleash the watermark.
    // Infinity is allowed: event times then never move it, only `raise` (a source that keeps its own) and idleness.
    if (!(this.#bound >= 0)) throw new RangeError(`maxOutOfOrderness must be a number from 0 up, got ${this.#bound}`);
    if (!(this.#idleAfter >= 0)) throw new RangeError(`idleAfter must be a number from 0 up, got ${this.#idleAfter}`);
  }

  /** Record a message with `eventTime` arriving at `now` (pass the clock you give `idle`). */
  observe(eventTime: number, now = 0): Observation {
    const watermark = this.#watermark;
    return { watermark, late: this.admit(eventTime, now) };
  }

  /**
   * {@link observe} without the object, for hot paths: returns whether the
   * message was late. The watermark it was read under is {@link current}
   * just before the call.
   */
  admit(eventTime: number, now = 0): boolean {
    const late = eventTime < this.#watermark;
    if (late) this.#late++;
    if (eventTime > this.#maxEventTime) {
      this.#maxEventTime = eventTime;
      const next = eventTime - this.#bound;
      if (next > this.#watermark) this.#watermark = next;
    }
    this.#lastArrival = now;
    return late;
  }

  /**
   * Idle advance: when nothing has arrived for `idleAfter` since the last
   * message and nothing is in flight, no message can still be waiting inside
   * the out-of-orderness window, so the watermark rises to the largest event
   * time seen. Returns true when the watermark moved.
   */
  idle(now: number, inFlight: number): boolean {
    if (inFlight > 0 || now - this.#lastArrival < this.#idleAfter) return false;
    if (this.#maxEventTime <= this.#watermark) return false;
    this.#watermark = this.#maxEventTime;
    return true;
  }

  /**
   * The source's own watermark: the input watermark rises to `watermark`
   * (never falls). For a source that knows better than the bound, such as
   * a stage fed by another engine, whose output watermark it passes on.
   */
  raise(watermark: number): void {
    if (watermark > this.#watermark) this.#watermark = watermark;
  }

  /** The current input watermark. */
  current(): number {
    return this.#watermark;
  }

  /** How many late messages were observed. */
  get lateCount(): number {
    return this.#late;
  }
}
