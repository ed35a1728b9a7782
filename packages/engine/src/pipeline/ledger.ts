import { Heap } from 'heap-js';
import type { PartitionId } from '@tidemark/watermark';
import type { Overflow } from '../buffers/buffer-limit.js';
import type { MessageTrace } from '../run/message-state.js';

/**
 * One source message and everything it became: its messages in the stages
 * (a transform that emits several outputs makes several messages
 * downstream) and its records waiting to be handed over. It is done when
 * `live` falls to 0, and then it has ended exactly once: as outputs of the
 * last stage, failed records, drops, or a mix when it fanned out.
 */
export interface Family {
  readonly offset: number;
  readonly partition: PartitionId | undefined;
  readonly key: string | undefined;
  readonly eventTime: number;
  late: boolean;
  /** The input watermark it was read under; set when the first stage acked it (until then that stage's watermark covers it). */
  watermark: number;
  /** Its message in the first stage, its messages in later ones, and its records not yet handed over. */
  live: number;
  /** Records handed over: outputs of the last stage, failed records (any stage). */
  outputs: number;
  failures: number;
  /** Its messages that ended without a record: a transform's `drop()`, a full buffer's drop policy, a branch's drop. */
  drops: number;
  /** Its messages a reduce stage took into a window result it carries no offset of. */
  reduced: number;
  /** Set when a full buffer's drop policy took one of its messages. */
  overflow: Overflow | undefined;
  /** Its state when the first stage acked it. */
  head: MessageTrace | undefined;
  /** The furthest stage one of its messages reached (index). */
  stage: number;
  done: boolean;
}

/** One message of a family in one stage. */
export interface Item {
  /** Its offset in its stage's engines (unique in the run); -1 in the first stage, which reads the source's own. */
  readonly id: number;
  readonly family: Family;
  readonly stage: number;
  /** Messages (or records) it gave the next stage (or the consumer). */
  children: number;
  /** In a parallel stage: the branches not yet in, and what each gave. */
  readonly pending: Set<string> | undefined;
  readonly values: Map<string, unknown[]> | undefined;
  /** In a parallel stage: the first branch that failed for good. */
  failedBranch: string | undefined;
  /** In a parallel stage: set when a branch's drop policy took it. */
  overflow: Overflow | undefined;
  /** It failed for good (its failed record was made). */
  failed: boolean;
  /** Handed to the join engine. */
  joining: boolean;
}

/** How a message left its stage's engine. */
export interface Ending {
  readonly outcome: MessageTrace['outcome'];
  readonly overflow: Overflow | undefined;
}

/**
 * The one owner of a pipeline run's per-message state: every family, every
 * item, what each is waiting for, and what follows from them (the
 * committed offset, the watermark of what left the first stage, the
 * accounting). The stages report what happened to their messages; only
 * the ledger decides when a source message is done.
 */
export class Ledger {
  /** First-stage messages that gave a record and were not acked yet, by partition and offset. */
  readonly #atHead = new Map<string, Item>();
  readonly #items = new Map<number, Item>();
  /** Families past the first stage and not done. */
  readonly #families = new Set<Family>();
  /** Their watermarks, lowest first; a done family is taken off when it comes to the top. */
  readonly #watermarks = new Heap<Family>((a, b) => a.watermark - b.watermark);
  readonly #done: (family: Family) => void;
  #nextId = 0;

  /** `done`: a family just ended (called once per source message). */
  constructor(done: (family: Family) => void) {
    this.#done = done;
  }

  /** Families past the first stage, not done. */
  get size(): number {
    return this.#families.size;
  }

  /** The first-stage message a record of the first stage came from (made at its first record). */
  headItem(record: { offset: number; partition?: PartitionId | undefined; key: string | undefined; eventTime: number; late?: boolean | undefined }): Item {
    const at = headKey(record.partition, record.offset);
    let item = this.#atHead.get(at);
    if (item === undefined) {
      const family: Family = {
        offset: record.offset,
        partition: record.partition,
        key: record.key,
        eventTime: record.eventTime,
        late: record.late === true,
        watermark: Number.NEGATIVE_INFINITY,
        live: 1,
        outputs: 0,
        failures: 0,
        drops: 0,
        reduced: 0,
        overflow: undefined,
        head: undefined,
        stage: 0,
        done: false,
      };
      item = newItem(-1, family, 0, undefined);
      this.#atHead.set(at, item);
    }
    return item;
  }

  /** The first stage acked a message: its family leaves it, and is done if nothing of it went on. */
  headAcked(trace: MessageTrace): void {
    const item = this.#atHead.get(headKey(trace.partition, trace.offset)) ?? this.headItem(trace);
    this.#atHead.delete(headKey(trace.partition, trace.offset));
    const family = item.family;
    family.watermark = trace.watermark;
    family.late = trace.late;
    family.head = { ...trace };
    this.#families.add(family);
    this.ended(item, trace, false);
    if (family.done) return;
    // Done families are taken off when they come to the top, and the heap is rebuilt
    // when they outnumber the live ones: memory stays proportional to what is in flight.
    const heap = this.#watermarks;
    heap.push(family);
    if (heap.size() > 2 * this.#families.size + 64) {
      const live = heap.toArray().filter((entry) => !entry.done);
      heap.clear();
      heap.init(live);
    }
  }

  /** A message of `parent`'s family enters stage `stage` (with `branches` in a parallel stage). */
  enter(parent: Item, stage: number, branches?: readonly string[]): Item {
    parent.children++;
    const family = parent.family;
    family.live++;
    if (stage > family.stage) family.stage = stage;
    const item = newItem(this.#nextId++, family, stage, branches);
    this.#items.set(item.id, item);
    return item;
  }

  /** The item with offset `id` in a stage after the first, while it is in flight. */
  item(id: number): Item | undefined {
    return this.#items.get(id);
  }

  /**
   * `item` left its stage. Without children it counts as a drop (a
   * failed one has its failed record; with `aggregated`, it went into a
   * window result).
   */
  ended(item: Item, ending: Ending, aggregated: boolean): void {
    const family = item.family;
    if (item.id >= 0) this.#items.delete(item.id);
    if (ending.outcome === 'dropped' && family.overflow === undefined) family.overflow = ending.overflow;
    if (item.children === 0 && !item.failed) {
      if (aggregated && ending.outcome === 'completed') family.reduced++;
      else family.drops++;
    }
    this.release(family);
  }

  /** A record of `family` waits to be handed over: it holds the family open. */
  hold(family: Family): void {
    family.live++;
  }

  /** What `hold()` held (or a message's end): the family is done when nothing of it is left. */
  release(family: Family): void {
    if (--family.live > 0) return;
    family.done = true;
    this.#families.delete(family);
    this.#done(family);
  }

  /** The lowest input watermark of the families past the first stage; Infinity when none is. */
  get lowestWatermark(): number {
    const heap = this.#watermarks;
    let top = heap.peek();
    while (top !== undefined && top.done) {
      heap.pop();
      top = heap.peek();
    }
    return top?.watermark ?? Number.POSITIVE_INFINITY;
  }

  /** The lowest offset of the families past the first stage, overall and per named partition. */
  lowestOffsets(): { lowest: number; partitions: Map<PartitionId, number> } {
    let lowest = Number.POSITIVE_INFINITY;
    const partitions = new Map<PartitionId, number>();
    for (const { offset, partition } of this.#families) {
      if (offset < lowest) lowest = offset;
      if (partition !== undefined && !(offset >= (partitions.get(partition) ?? Number.POSITIVE_INFINITY))) partitions.set(partition, offset);
    }
    return { lowest, partitions };
  }

  /** The items in stages after the first, in the order they entered. */
  items(): IterableIterator<Item> {
    return this.#items.values();
  }

  /** Families past the first stage, not done. */
  families(): IterableIterator<Family> {
    return this.#families.values();
  }
}

function newItem(id: number, family: Family, stage: number, branches: readonly string[] | undefined): Item {
  return {
    id,
    family,
    stage,
    children: 0,
    pending: branches === undefined ? undefined : new Set(branches),
    values: branches === undefined ? undefined : new Map(branches.map((branch) => [branch, []])),
    failedBranch: undefined,
    overflow: undefined,
    failed: false,
    joining: false,
  };
}

/** Source offsets count per partition. */
function headKey(partition: PartitionId | undefined, offset: number): string {
  return partition === undefined ? `${offset}` : `${typeof partition}:${String(partition)}:${offset}`;
}
