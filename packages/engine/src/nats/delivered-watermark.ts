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
 */
export class DeliveredWatermark {
  #engine = Number.NEGATIVE_INFINITY;
  #value = Number.NEGATIVE_INFINITY;
  #next = 0;
  /** Event times of the records being published, by publish number. */
  readonly #pending = new Map<number, number>();
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

  /** Look now: what {@link value} would rise to. */
  settle(): number {
    let lowest = this.#engine;
    for (const time of this.#pending.values()) if (time < lowest) lowest = time;
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
