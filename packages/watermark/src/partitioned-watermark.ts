import type { Observation } from './bounded-out-of-orderness.js';
import { PartitionedHandles } from './partitioned-handles.js';
import type { InFlight, PartitionId } from './partition.js';

export type { PartitionedWatermarkOptions } from './partitioned-handles.js';

/**
 * The output watermark over partitioned input (Kafka-like partitions, each
 * with its own bounded-out-of-orderness input watermark and idleness), as
 * Flink's per-partition watermarks and Numaflow's tracker give it.
 *
 *   partition a: [m1:10, m2:10*, m4:14]  low 10     ┐
 *   partition b: [m3:7*, m5:9]           low 9      ├─ heap by low over the partitions
 *   partition c: [] idle, input 30       left out   ┘  that are not idle: output 9
 *                                        (* completed, dropped lazily at the head)
 *
 * - low(P) is the watermark its oldest in-flight message was read under, else
 *   P's input watermark. A partition's in-flight messages form a FIFO (its
 *   watermarks only rise in read order), so low(P) is its live head.
 * - A partition is idle once nothing of it is in flight and nothing was read
 *   from it for `idleAfter` (`lastArrival + idleAfter <= now`); its input
 *   watermark then rises to its largest event time, and it is left out of the
 *   minimum until its next message. A declared partition that has read nothing
 *   counts from its declaration, so it holds the output back until then; its
 *   input watermark stays -Infinity (its first message may carry any event
 *   time), so while all partitions are idle the output does not rise.
 * - The output is the minimum of low(P) over the partitions that are not idle;
 *   when every partition is idle, the minimum of their input watermarks (a
 *   lagging partition's next message must not turn late because the others ran
 *   ahead); with no partition, it stays where it is. It never decreases.
 * - A message is late only against its own partition's watermark. A partition
 *   that comes back from idle, or first appears, after the output has passed
 *   its watermark reads on time messages below the output: the output does not
 *   go back, and does not rise while they are in flight. Declare partitions up
 *   front where that matters.
 *
 * The clock is the largest `now` passed so far (a smaller one is taken as it).
 * Idleness is settled at each call that takes `now`, in order of
 * `lastArrival + idleAfter` from a heap of timers. The minimum comes from a
 * heap-js min-heap of the partitions keyed by low(P), which only rises, so an
 * entry is re-keyed or dropped lazily when it reaches the top: O(log P) per
 * change of the minimum, and O(1) amortized per message inside a partition.
 *
 * @example
 * ```ts
 * const watermark = new PartitionedWatermark({ maxOutOfOrderness: 10, idleAfter: 1_000 });
 * watermark.read(1, 'a', 100, 0); // { watermark: -Infinity, late: false }
 * watermark.read(2, 'b', 500, 0);
 * watermark.complete(1);
 * watermark.complete(2);
 * watermark.current(0); // 90: min(a's 90, b's 490)
 * watermark.current(1_000); // 100: both idle, each raised to its largest event time
 * ```
 *
 * Messages go in and out by id ({@link read}, {@link complete}); an owner
 * that keeps its own in-flight set uses the handles of
 * {@link PartitionedHandles} instead, which this class extends.
 */
export class PartitionedWatermark extends PartitionedHandles {
  /** The handles of the messages read by id. */
  readonly #live = new Map<number, InFlight>();

  /**
   * Message `id` (unique while in flight) with `eventTime` was read from
   * `partition` at clock `now` (which moves the clock without deciding any
   * partition idle). The partition (created on its first read)
   * observes it, and the message is in flight under the partition's input
   * watermark before it was seen, which is returned with whether it was late.
   * Throws RangeError, changing nothing, when `id` is already in flight.
   */
  read(id: number, partition: PartitionId, eventTime: number, now: number): Observation {
    const watermark = this.readUnder(id, partition, eventTime, now);
    return { watermark, late: this.lastLate };
  }

  /**
   * {@link read} without the object, for hot paths: returns the watermark
   * the message is in flight under; {@link lastLate} says whether it was late.
   * `given`: the source's own watermark as of this message, to which the
   * partition's input watermark rises first (see `BoundedOutOfOrderness.raise`).
   */
  readUnder(id: number, partition: PartitionId, eventTime: number, now: number, given?: number): number {
    if (this.#live.has(id)) throw new RangeError(`id ${id} is already in flight`);
    const node = this.enter(id, partition, eventTime, now, given);
    this.#live.set(id, node);
    return node.watermark;
  }

  /**
   * Message `id` is done (in any order). Returns false when it was not in
   * flight. `now` as for {@link leave}.
   */
  complete(id: number, now?: number): boolean {
    const node = this.#live.get(id);
    if (node === undefined) return false;
    this.#live.delete(id);
    return this.leave(node, now);
  }

  /** Whether message `id` is in flight (read with {@link read} or {@link readUnder}). */
  has(id: number): boolean {
    return this.#live.has(id);
  }
}
