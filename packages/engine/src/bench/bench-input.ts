import type { Readable } from 'node:stream';
import { ndjsonSource } from '../io/ndjson-source.js';
import type { SourceRecord } from '../message.js';

/** A bench's input, read once into memory and replayed to every setting. */
export interface BenchInput {
  /** The records in input order, each without its `eventTime` (see {@link readBenchInput}). */
  readonly records: readonly SourceRecord[];
  /** Lines that are not records (malformed, or over the size limit): each a failed record in every run. */
  readonly malformed: number;
  /** Records that gave an `eventTime`, which the bench leaves out. */
  readonly withEventTime: number;
}

/**
 * Read NDJSON records from `stream` as `tidemark run` reads them (the
 * engine's NDJSON source: blank lines skipped, a malformed line kept as a
 * record that fails without reaching a worker). Each record's `eventTime`
 * is left out, so the engine stamps the time it reads it, as the built-in
 * workload does: the watermark lag then measures the engine (how long the
 * oldest message in flight has been in), not how old the file's timestamps
 * are, and every replay measures the same thing.
 */
export async function readBenchInput(stream: Readable, options: { maxRecordBytes?: number } = {}): Promise<BenchInput> {
  const records: SourceRecord[] = [];
  let malformed = 0;
  let withEventTime = 0;
  for await (const record of ndjsonSource(stream, options)) {
    if (record.error !== undefined) malformed++;
    if (record.eventTime === undefined) {
      records.push(record);
      continue;
    }
    withEventTime++;
    const { eventTime: _eventTime, ...rest } = record;
    records.push(rest);
  }
  return { records, malformed, withEventTime };
}
