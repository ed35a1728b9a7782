import { BoundedOutOfOrderness } from './bounded-out-of-orderness.js';

/** The name of a partition: a Kafka partition number, a shard id, a file name. `1` and `'1'` are two partitions. */
export type PartitionId = string | number;

/** One in-flight message of a partition: a node of its queue, reused once it has left the queue. */
export interface InFlight {
  id: number;
  /** The partition's input watermark when the message was read (before it was seen). */
  watermark: number;
  done: boolean;
  readonly partition: Partition;
}

/** Done nodes a partition keeps for reuse, so that steady reading allocates nothing. */
const SPARE_NODES = 256;

/**
 * One partition of a `PartitionedWatermark`: its input watermark and its
 * in-flight messages in read order.
 *
 *   read m1 (w=10), m2 (w=10), m3 (w=14)   complete m2    complete m1     low()
 *   queue: [m1:10, m2:10, m3:14]           [m1, m2*, m3]  [m1*, m2*, m3]  drops m1*, m2* -> 14
 *                                                          (* done: left until it reaches the head)
 *
 * The input watermark never decreases, so the queue's watermarks do not
 * decrease from head to tail and the oldest live message has the lowest one:
 * a FIFO with lazy deletion is all a partition needs, no heap (Numaflow's
 * tracker reads the first entry of a per-partition BTreeMap for the same
 * reason). `low()` is O(1) amortized. Done entries stuck behind a live head are
 * swept out once they outnumber the live ones, so memory stays proportional
 * to what is in flight.
 */
export class Partition {
  readonly name: PartitionId;
  /** The partition's own input watermark; its idle advance is decided by the owner (see `goIdle`). */
  readonly input: BoundedOutOfOrderness;
  /** The clock of the last read (or of the declaration before any read), or when it was last left with nothing in flight, if later: its idle wait counts from here. */
  lastArrival: number;
  /** Set by `goIdle`, cleared by the next read. */
  idle = false;
  readonly #queue: InFlight[] = [];
  #head = 0;
  #live = 0;
  readonly #spare: InFlight[] = [];

  constructor(name: PartitionId, maxOutOfOrderness: number, now: number) {
    this.name = name;
    // idleAfter 0: the owner decides when the partition is idle, so the
    // source's own time check must not second-guess it.
    this.input = new BoundedOutOfOrderness({ maxOutOfOrderness, idleAfter: 0 });
    this.lastArrival = now;
  }

  /** How many of the partition's messages are in flight. */
  get inFlight(): number {
    return this.#live;
  }

  /** Entries in the queue, done ones included (for the memory bound test). */
  get held(): number {
    return this.#queue.length - this.#head;
  }

  /** Queue message `id`, read under `watermark`; `watermark` must not be below any queued before. */
  enqueue(id: number, watermark: number): InFlight {
    let node = this.#spare.pop();
    if (node === undefined) {
      node = { id, watermark, done: false, partition: this };
    } else {
      node.id = id;
      node.watermark = watermark;
      node.done = false;
    }
    this.#queue.push(node);
    this.#live++;
    return node;
  }

  /** Mark `node` completed. It stays in the queue until it reaches the head or a sweep. */
  complete(node: InFlight): void {
    node.done = true;
    this.#live--;
    // Same bound as WatermarkTracker: a sweep costs O(held) and comes after
    // at least held / 2 completions, so O(1) amortized.
    if (this.#queue.length > 2 * this.#live + 64) this.#sweep();
  }

  /** The watermark of the oldest in-flight message, else the input watermark. */
  low(): number {
    const queue = this.#queue;
    while (this.#head < queue.length) {
      const node = queue[this.#head] as InFlight;
      if (!node.done) return node.watermark;
      this.#head++;
      this.#reuse(node);
    }
    // Empty: start the array over rather than let the popped prefix grow.
    queue.length = 0;
    this.#head = 0;
    return this.input.current();
  }

  /** Idle advance (the owner found nothing in flight for `idleAfter`): the input watermark rises to the largest event time. */
  goIdle(now: number): void {
    this.idle = true;
    this.input.idle(now, 0);
  }

  #sweep(): void {
    const queue = this.#queue;
    let kept = 0;
    for (let i = this.#head; i < queue.length; i++) {
      const node = queue[i] as InFlight;
      if (node.done) this.#reuse(node);
      else queue[kept++] = node;
    }
    queue.length = kept;
    this.#head = 0;
  }

  // Only a node that has left the queue is reused: the queue was its last holder.
  #reuse(node: InFlight): void {
    if (this.#spare.length < SPARE_NODES) this.#spare.push(node);
  }
}
