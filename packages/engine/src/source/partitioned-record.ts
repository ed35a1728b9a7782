import type { PartitionId } from '@tidemark/watermark';

/**
 * One item a partition of a `partitioned()` source gave, as the merge hands
 * it on: the item untouched (its fields are read once, by the intake, where
 * a getter or Proxy trap that throws makes it a bad item like any other),
 * its partition, and its arrival number in that partition, the offset of
 * an item that names none (or a bad one).
 */
export class PartitionedRecord {
  /** The brand {@link is} checks: a private name never runs a Proxy's traps, as `instanceof` would. */
  readonly #brand = true;
  readonly item: unknown;
  readonly partition: PartitionId;
  readonly arrival: number;

  constructor(item: unknown, partition: PartitionId, arrival: number) {
    this.item = item;
    this.partition = partition;
    this.arrival = arrival;
  }

  /** Whether `value` is one (without touching it otherwise: it may be a revoked Proxy). */
  static is(value: unknown): value is PartitionedRecord {
    return typeof value === 'object' && value !== null && #brand in value;
  }
}
