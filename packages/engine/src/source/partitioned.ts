import type { PartitionId } from '@tidemark/watermark';
import { Deque } from '../buffers/deque.js';
import { InvalidOptionError } from '../errors.js';
import { Wakeup } from '../run/wakeup.js';
import type { SourceRecord } from '../message.js';
import { PartitionedRecord } from './partitioned-record.js';
import type { Source } from './source-reader.js';

const brand = Symbol.for('tidemark.partitioned');

/**
 * A source made of partitions, each read on its own and each with its own
 * input watermark: see {@link partitioned}. An async iterable of the merged
 * records, each tagged with its partition, for `engine.process()`: what it
 * yields is the engine's own wrapping of each item, not the item.
 */
export interface PartitionedSource extends AsyncIterable<SourceRecord> {
  readonly [brand]: true;
  /** The partitions, in the order given. */
  readonly partitions: readonly PartitionId[];
}

/**
 * Read several partitions as one source: each record is tagged with its
 * partition, and each partition has its own input watermark (bounded
 * out-of-orderness and idleness per partition), so the output watermark is
 * the minimum over the partitions that are not idle, as Flink and Numaflow
 * do per partition. Records come in the order they arrive from the
 * partitions (one read ahead per partition), so read order is no longer
 * watermark order. Every partition holds the watermark back from the start
 * until it reads or goes idle (`watermark.idleAfter`). Offsets count per
 * partition (a record without one gets its partition's arrival number), and
 * `engine.committedOffsets` says where each partition may resume.
 *
 * @example
 * for await (const record of engine.process(partitioned({ eu: euRecords, us: usRecords }))) …
 * @throws {InvalidOptionError} when `sources` is not an object or Map of iterables.
 */
export function partitioned(sources: Readonly<Record<string, Source<SourceRecord>>> | ReadonlyMap<PartitionId, Source<SourceRecord>>): PartitionedSource {
  const entries: [PartitionId, Source<SourceRecord>][] =
    sources instanceof Map
      ? [...(sources as ReadonlyMap<PartitionId, Source<SourceRecord>>).entries()]
      : typeof sources === 'object' && sources !== null
        ? Object.entries(sources as Readonly<Record<string, Source<SourceRecord>>>)
        : [];
  if (entries.length === 0) throw new InvalidOptionError('source', 'partitioned({ name: source, … }) with at least one partition', sources);
  for (const [name, source] of entries) {
    if (!isIterable(source)) throw new InvalidOptionError(`source.${String(name)}`, 'an Iterable or AsyncIterable', source);
  }
  return {
    [brand]: true,
    partitions: entries.map(([name]) => name),
    [Symbol.asyncIterator]: () => merge(entries),
  };
}

/** Whether `source` was made by {@link partitioned}. */
export function isPartitioned(source: unknown): source is PartitionedSource {
  return typeof source === 'object' && source !== null && (source as Partial<PartitionedSource>)[brand] === true;
}

/**
 * Records of every partition as they arrive: one `next()` pending per
 * partition, each settling into one queue that the loop takes from (not a
 * `Promise.race` over the pending ones, which would add a reaction to a
 * quiet partition's promise on every record of the others).
 */
async function* merge(entries: readonly [PartitionId, Source<SourceRecord>][]): AsyncGenerator<SourceRecord, void, undefined> {
  const iterators = entries.map(([, source]) =>
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<SourceRecord>)[Symbol.iterator](),
  );
  const ready = new Deque<{ index: number; result: IteratorResult<SourceRecord> } | { index: number; error: unknown }>();
  const wake = new Wakeup();
  const pull = (index: number): void => {
    Promise.resolve((iterators[index] as Iterator<SourceRecord> | AsyncIterator<SourceRecord>).next()).then(
      (result) => {
        ready.push({ index, result });
        wake.notify();
      },
      (error: unknown) => {
        ready.push({ index, error });
        wake.notify();
      },
    );
  };
  iterators.forEach((_, index) => pull(index));
  /** Per partition, its arrival number: the default offset (offsets count per partition). */
  const arrivals = iterators.map(() => 0);
  let open = iterators.length;
  try {
    while (open > 0) {
      const next = ready.shift();
      if (next === undefined) {
        await wake.wait();
        continue;
      }
      const { index } = next;
      if ('error' in next) throw next.error;
      if (next.result.done === true) {
        open--;
        continue;
      }
      pull(index);
      const partition = (entries[index] as [PartitionId, unknown])[0];
      const offset = arrivals[index] as number;
      arrivals[index] = offset + 1;
      // Opaque to everything up to the intake, which reads the item's fields once.
      yield new PartitionedRecord(next.result.value, partition, offset) as unknown as SourceRecord;
    }
  } finally {
    // The consumer stopped early: release every partition's source (not
    // awaited: an async source blocked in next() would hold return() back).
    for (const iterator of iterators) void Promise.resolve(iterator.return?.()).catch(() => {});
  }
}

function isIterable(source: unknown): source is Source<SourceRecord> {
  if (source === null || source === undefined) return false;
  const object = source as Partial<Record<symbol, unknown>>;
  return typeof object[Symbol.asyncIterator] === 'function' || typeof object[Symbol.iterator] === 'function';
}
