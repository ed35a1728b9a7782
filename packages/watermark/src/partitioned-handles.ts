import { BoundedOutOfOrderness } from './bounded-out-of-orderness.js';
import { Partition } from './partition.js';
import type { InFlight, PartitionId } from './partition.js';
import { RisingKeyHeap } from './rising-key-heap.js';

/** Options of {@link PartitionedWatermark} and {@link PartitionedHandles}: the settings of every partition's input watermark. */
export interface PartitionedWatermarkOptions {
  /**
   * How far (in event-time units, usually ms) an event may trail the largest
   * event time seen in its partition and still be on time.
   * @default 0
   */
  maxOutOfOrderness?: number;
  /**
   * After this long (in the units of the `now` you pass, usually ms) with no
   * message read from it and none of its messages in flight, a partition is
   * idle: its input watermark rises to its largest event time and it stops
   * holding the output back, until its next message.
   * @default Infinity (never)
   */
  idleAfter?: number;
}

/**
 * The mechanics of {@link PartitionedWatermark} (its rules are there), for an
 * owner that keeps its own in-flight set, as the engine's tracker does: a
 * message read goes in with {@link enter}, which returns its handle, and the
 * caller gives the handle back to {@link leave}. No map by id here.
 */
export class PartitionedHandles {
  readonly #maxOutOfOrderness: number;
  readonly #idleAfter: number;
  readonly #partitions = new Map<PartitionId, Partition>();
  #inFlight = 0;
  /** The partitions that are not idle, by low(P). */
  readonly #busy = new RisingKeyHeap<Partition>(
    (p) => p.low(),
    (p) => !p.idle,
  );
  /** The idle partitions, by low(P) (= their input watermark): the minimum when all are idle. */
  readonly #resting = new RisingKeyHeap<Partition>(
    (p) => p.low(),
    (p) => p.idle,
  );
  /** The partitions that may go idle (nothing in flight, not idle), by when they do. */
  readonly #timers = new RisingKeyHeap<Partition>(
    (p) => this.#idleAt(p),
    (p) => !p.idle && p.inFlight === 0,
  );
  #clock = Number.NEGATIVE_INFINITY;
  #output = Number.NEGATIVE_INFINITY;
  #late = 0;
  #lastLate = false;

  constructor(options: PartitionedWatermarkOptions = {}) {
    // Same validation and messages as a single input's watermark.
    new BoundedOutOfOrderness(options);
    this.#maxOutOfOrderness = options.maxOutOfOrderness ?? 0;
    this.#idleAfter = options.idleAfter ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Declare `partition` at clock `now` before it has read anything, so that it
   * holds the output back (at -Infinity) until it reads or goes idle. Returns
   * false when the partition already exists.
   */
  declare(partition: PartitionId, now: number): boolean {
    this.#advance(now);
    if (this.#partitions.has(partition)) return false;
    this.#timers.offer(this.#add(partition));
    return true;
  }

  /**
   * Message `id` with `eventTime` was read from `partition` at clock `now`
   * (which moves the clock without deciding any partition idle). The
   * partition (created on its first read) observes it, and the message is in
   * flight under the partition's input watermark before it was seen: the
   * returned handle's `watermark`; {@link lastLate} says whether it was late.
   * `given`: the source's own watermark as of this message, to which the
   * partition's input watermark rises first (see `BoundedOutOfOrderness.raise`).
   * `id` is only carried on the handle; it is not checked.
   */
  enter(id: number, partition: PartitionId, eventTime: number, now: number, given?: number): InFlight {
    // The clock moves, but idleness is decided only when asked (`current`,
    // `declare`): a reader held back by full buffers reads late, and the
    // partitions it did not get to are not idle for that.
    if (now > this.#clock) this.#clock = now;
    const p = this.#partitions.get(partition) ?? this.#add(partition);
    if (given !== undefined) p.input.raise(given);
    const watermark = p.input.current();
    const late = p.input.admit(eventTime, this.#clock);
    const node = p.enqueue(id, watermark);
    this.#inFlight++;
    p.lastArrival = this.#clock;
    this.#lastLate = late;
    if (late) this.#late++;
    // Offered only now that the message is queued: before, low(P) would read
    // the raised input watermark, above the key it is about to have.
    if (p.idle) {
      p.idle = false;
      this.#busy.offer(p);
    }
    return node;
  }

  /** Whether the message last entered was late. */
  get lastLate(): boolean {
    return this.#lastLate;
  }

  /**
   * The message of a handle {@link enter} returned is done (in any order).
   * Returns false, changing nothing, when it already left (a handle is given
   * back once: once it left, its partition may reuse it for another message).
   * With `now`, a partition left with nothing in flight starts its idle wait
   * again from `now`: it is idle only after `idleAfter` with nothing read
   * *and* nothing in flight (an engine whose messages take longer than
   * `idleAfter` does not call its source idle the moment the last one is done).
   */
  leave(node: InFlight, now?: number): boolean {
    if (node.done) return false;
    this.#inFlight--;
    const p = node.partition;
    p.complete(node);
    if (p.inFlight === 0) {
      if (now !== undefined && now > p.lastArrival) p.lastArrival = now;
      this.#timers.offer(p);
    }
    return true;
  }

  /**
   * The output watermark (see the class for the rules). Never decreases.
   * With `now`, the clock moves first and the partitions idle by then go idle;
   * without, idleness stays as the last clock left it.
   */
  current(now?: number): number {
    if (now !== undefined) this.#advance(now);
    const lowest = this.#busy.peek() ?? this.#resting.peek();
    if (lowest !== undefined) {
      const candidate = lowest.low();
      if (candidate > this.#output) this.#output = candidate;
    }
    return this.#output;
  }

  /**
   * The earliest clock at which some partition goes idle, so that one timer
   * can call {@link current} then: the smallest `lastArrival + idleAfter` over
   * the partitions with nothing in flight that are not idle yet; Infinity when
   * none. A value at or below the clock (a partition emptied since the last
   * `now`) means: call `current` now.
   */
  nextIdleAt(): number {
    if (this.#idleAfter === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
    const p = this.#timers.peek();
    return p === undefined ? Number.POSITIVE_INFINITY : this.#idleAt(p);
  }

  /** The input watermark of `partition`, or undefined for a partition never seen. */
  inputWatermark(partition: PartitionId): number | undefined {
    return this.#partitions.get(partition)?.input.current();
  }

  /**
   * The lowest input watermark over the partitions that are not quiet (over
   * all of them when every one is); -Infinity before any. A partition is
   * quiet when it is idle, or has read nothing for `idleAfter` by the last
   * clock, even with messages in flight. What the output watermark would be
   * with nothing in flight: windowed reduce closes windows by it, since the
   * messages a window holds are still in flight (and would otherwise keep a
   * partition that went quiet from ever going idle, holding every other
   * partition's windows open).
   */
  inputMinimum(): number {
    let busy = Number.POSITIVE_INFINITY;
    let resting = Number.POSITIVE_INFINITY;
    for (const p of this.#partitions.values()) {
      const input = p.input.current();
      if (p.idle || this.#clock - p.lastArrival >= this.#idleAfter) resting = Math.min(resting, input);
      else busy = Math.min(busy, input);
    }
    const lowest = Number.isFinite(busy) || busy === Number.NEGATIVE_INFINITY ? busy : resting;
    return lowest === Number.POSITIVE_INFINITY ? Number.NEGATIVE_INFINITY : lowest;
  }

  /** Whether `partition` was idle at the last `now` (false for a partition never seen). */
  isIdle(partition: PartitionId): boolean {
    return this.#partitions.get(partition)?.idle ?? false;
  }

  /** How many messages are in flight, over all partitions. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** How many late messages were read, over all partitions. */
  get lateCount(): number {
    return this.#late;
  }

  /** The partitions, in the order they were declared or first read. */
  get partitions(): PartitionId[] {
    return [...this.#partitions.keys()];
  }

  #add(partition: PartitionId): Partition {
    const p = new Partition(partition, this.#maxOutOfOrderness, this.#clock);
    this.#partitions.set(partition, p);
    this.#busy.offer(p);
    return p;
  }

  /** Move the clock to `now` and settle every partition that has gone idle by then. */
  #advance(now: number): void {
    if (now > this.#clock) this.#clock = now;
    if (this.#idleAfter === Number.POSITIVE_INFINITY) return;
    for (let p = this.#timers.peek(); p !== undefined && this.#idleAt(p) <= this.#clock; p = this.#timers.peek()) {
      p.goIdle(this.#clock);
      this.#resting.offer(p);
    }
  }

  // The sum nextIdleAt reports, so a timer armed for it always finds the partition idle.
  #idleAt(p: Partition): number {
    return p.lastArrival + this.#idleAfter;
  }
}
