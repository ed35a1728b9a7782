import type { PartitionId } from '@tidemark/watermark';
import type { MessageState } from './message-state.js';

/**
 * Where a restart may resume without loss, as Kafka consumers and Numaflow
 * commit: the lowest offset still in flight, or one past the highest offset
 * read when nothing is; for the whole source, and per partition it named
 * (offsets count per partition).
 */
export class CommittedOffsets {
  #highest = -1;
  /** Per named partition: its highest offset read. */
  readonly #highestOf = new Map<PartitionId, number>();

  /** A message was read. */
  read(state: MessageState): void {
    if (state.partition === undefined) {
      if (state.offset > this.#highest) this.#highest = state.offset;
    } else if (!(state.offset <= (this.#highestOf.get(state.partition) ?? -1))) {
      this.#highestOf.set(state.partition, state.offset);
    }
  }

  /** With `inFlight` the messages in flight: the lowest offset among them, or one past the highest read (0 before any). */
  committed(inFlight: Iterable<MessageState>): number {
    let lowest = Number.POSITIVE_INFINITY;
    for (const state of inFlight) if (state.offset < lowest) lowest = state.offset;
    return Number.isFinite(lowest) ? lowest : this.#highest + 1;
  }

  /** The same per partition the source named. */
  perPartition(inFlight: Iterable<MessageState>): Map<PartitionId, number> {
    const committed = new Map<PartitionId, number>();
    for (const [partition, highest] of this.#highestOf) committed.set(partition, highest + 1);
    for (const state of inFlight) {
      const partition = state.partition;
      if (partition !== undefined && state.offset < (committed.get(partition) ?? Number.POSITIVE_INFINITY)) committed.set(partition, state.offset);
    }
    return committed;
  }
}
