/**
 * The output watermark as far as the sink has confirmed it: the engine's
 * output watermark, held below the event time of every record handed over
 * but not yet confirmed by the sink stream (late records aside: a
 * watermark may pass them, they say so). It only rises.
 *
 * The engine's watermark promises that no later record lies below it; the
 * records already handed over may, until their publishes are confirmed.
 * Published to the watermark bucket, this is what a reader downstream may
 * trust: nothing below it is still on its way from this process.
 *
 * A message this process handed back (`nak`: a retry, or a publish that
 * failed) comes back later, to this process or another, whose engine's
 * watermark may have passed it. So its event time is held too, by stream
 * sequence, until the consumer's ack floor (every sequence up to it acked
 * or termed, by any process) reaches it.
 */
export class DeliveredWatermark {
  #engine = Number.NEGATIVE_INFINITY;
  #value = Number.NEGATIVE_INFINITY;
  #next = 0;
  /** Event times of the records being published, by publish number. */
  readonly #pending = new Map<number, number>();
  /** Event times of messages handed back for another delivery, by stream sequence. */
  readonly #handedBack = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  readonly #changed: (value: number) => void;
  readonly #every: number;

  /** `changed` hears each rise, at most once every `every` ms. */
  constructor(changed: (value: number) => void, every = 20) {
    this.#changed = changed;
    this.#every = every;
  }

  /** The watermark as of the last look. */
  get value(): number {
    return this.#value;
  }

  /** The engine's output watermark rose. */
  engine(value: number): void {
    this.#engine = value;
    this.#schedule();
  }

  /** A record with `eventTime` goes to the sink; returns the mark to hand {@link confirmed}. Late records pass -1 (not held). */
  publishing(eventTime: number, late: boolean): number {
    if (late) return -1;
    const mark = this.#next++;
    this.#pending.set(mark, eventTime);
    return mark;
  }

  /** The sink confirmed (or gave up on: the message is retried) the record of `mark`. */
  confirmed(mark: number): void {
    if (mark < 0) return;
    this.#pending.delete(mark);
    this.#schedule();
  }

  /** Stream sequence `seq`, of `eventTime`, went back for another delivery: held until the ack floor passes it. */
  handedBack(seq: number, eventTime: number): void {
    const held = this.#handedBack.get(seq);
    this.#handedBack.set(seq, held === undefined ? eventTime : Math.min(held, eventTime));
  }

  /** Messages handed back and not yet past the ack floor. */
  get handedBackCount(): number {
    return this.#handedBack.size;
  }

  /** The consumer's ack floor reached stream sequence `floor`: every message up to it is done, somewhere. */
  ackFloor(floor: number): void {
    let released = false;
    for (const seq of this.#handedBack.keys()) {
      if (seq > floor) continue;
      this.#handedBack.delete(seq);
      released = true;
    }
    if (released) this.#schedule();
  }

  /** Look now: what {@link value} would rise to. */
  settle(): number {
    let lowest = this.#engine;
    for (const time of this.#pending.values()) if (time < lowest) lowest = time;
    for (const time of this.#handedBack.values()) if (time < lowest) lowest = time;
    if (lowest > this.#value) {
      this.#value = lowest;
      this.#changed(lowest);
    }
    return this.#value;
  }

  /** Stop looking on a timer. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.settle();
    }, this.#every).unref();
  }
}
