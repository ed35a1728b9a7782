/**
 * A brute-force model of the watermark, straight from DESIGN.md, to check
 * the engine's heap and clamps against:
 *
 *   input watermark   W = max event time read - maxOutOfOrderness, never
 *                     lower; an idle advance (nothing in flight while the
 *                     source stalls) raises W to the max event time read
 *   read under        each message keeps the W it was read under; it is
 *                     late when its event time is below that
 *   output watermark  the minimum of read-under over the messages in
 *                     flight, or W when none is
 */
export class WatermarkModel {
  readonly #bound: number;
  #max = Number.NEGATIVE_INFINITY;
  #input = Number.NEGATIVE_INFINITY;
  /** The input watermark each message was read under, by read order. */
  readonly readUnder: number[] = [];

  constructor(maxOutOfOrderness: number) {
    this.#bound = maxOutOfOrderness;
  }

  /** The next message in read order has `eventTime`. */
  read(eventTime: number): void {
    this.readUnder.push(this.#input);
    if (eventTime > this.#max) {
      this.#max = eventTime;
      this.#input = Math.max(this.#input, eventTime - this.#bound);
    }
  }

  /** The source stalled with nothing in flight: idle advance. */
  idle(): void {
    this.#input = Math.max(this.#input, this.#max);
  }

  get input(): number {
    return this.#input;
  }

  /** Whether message `index` (read order) was late when read. */
  late(index: number, eventTime: number): boolean {
    return eventTime < (this.readUnder[index] as number);
  }

  /** The output watermark with the messages `inFlight` (read-order indices) in flight. */
  output(inFlight: Iterable<number>): number {
    let lowest = Number.POSITIVE_INFINITY;
    let any = false;
    for (const index of inFlight) {
      any = true;
      lowest = Math.min(lowest, this.readUnder[index] as number);
    }
    return any ? lowest : this.#input;
  }
}
