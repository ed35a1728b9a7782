import type { PartitionId } from '@tidemark/watermark';
import type { TidemarkError } from '../errors.js';
import type { EngineRecord, FailedRecord, Output } from '../message.js';
import { fromWireError, toWireError } from './wire-error.js';
import type { WireError } from './wire-error.js';

/** A failed record as it crosses, at its place among the columns. */
export interface WireFailure {
  readonly index: number;
  readonly input: unknown;
  readonly error: WireError;
  readonly attempts: number;
}

/**
 * An answer's records as columns: a structured clone (or devalue) of a few
 * arrays costs a tenth of one of as many small objects, whose every
 * property name is written and read again per record. Columns that say
 * nothing (no record has a partition, none is late or failed) are left out.
 */
export interface RecordColumns {
  readonly offsets: number[];
  readonly eventTimes: number[];
  /** Each record's key; absent when no record has one. */
  readonly keys?: (string | undefined)[];
  /** Each output's value (`undefined` at a failed record's place). */
  readonly values: unknown[];
  readonly partitions?: (PartitionId | undefined)[];
  /** Indexes of the late records. */
  readonly late?: number[];
  readonly failed?: WireFailure[];
}

/** `records` as {@link RecordColumns}, failed records' errors made plain. */
export function toColumns(records: readonly EngineRecord[]): RecordColumns {
  // Packed arrays, filled by push: V8 serializes a holey array (`new Array(n)`) several times slower.
  const count = records.length;
  const offsets: number[] = [];
  const eventTimes: number[] = [];
  const values: unknown[] = [];
  let keys: (string | undefined)[] | undefined;
  let partitions: (PartitionId | undefined)[] | undefined;
  let late: number[] | undefined;
  let failed: WireFailure[] | undefined;
  for (let i = 0; i < count; i++) {
    const record = records[i] as EngineRecord;
    offsets.push(record.offset);
    eventTimes.push(record.eventTime);
    if (record.key !== undefined) keys ??= undefinedUpTo(i);
    keys?.push(record.key);
    if (record.partition !== undefined) partitions ??= undefinedUpTo(i);
    partitions?.push(record.partition);
    if (record.late === true) (late ??= []).push(i);
    if (record.kind === 'output') {
      values.push(record.value);
    } else {
      values.push(undefined);
      (failed ??= []).push({ index: i, input: record.input, error: toWireError(record.error), attempts: record.attempts });
    }
  }
  return {
    offsets,
    eventTimes,
    values,
    ...(keys === undefined ? {} : { keys }),
    ...(partitions === undefined ? {} : { partitions }),
    ...(late === undefined ? {} : { late }),
    ...(failed === undefined ? {} : { failed }),
  };
}

/** A packed array of `count` undefineds, to be pushed onto. */
export function undefinedUpTo<T>(count: number): (T | undefined)[] {
  const column: (T | undefined)[] = [];
  for (let i = 0; i < count; i++) column.push(undefined);
  return column;
}

/** The records `columns` carry, as `Engine.process` yields them; failed records' errors with their class. */
export function fromColumns(columns: RecordColumns): EngineRecord[] {
  const { offsets, eventTimes, keys, values, partitions } = columns;
  const count = offsets.length;
  const records = new Array<EngineRecord>(count);
  for (let i = 0; i < count; i++) {
    const key = keys?.[i];
    const partition = partitions?.[i];
    const offset = offsets[i] as number;
    const eventTime = eventTimes[i] as number;
    records[i] =
      partition === undefined
        ? { kind: 'output', offset, key, eventTime, value: values[i] }
        : { kind: 'output', offset, key, eventTime, value: values[i], partition };
  }
  for (const failure of columns.failed ?? []) {
    const output = records[failure.index] as Output;
    const error = fromWireError(failure.error) as TidemarkError;
    const base: FailedRecord = { kind: 'failed', offset: output.offset, key: output.key, eventTime: output.eventTime, input: failure.input, error, attempts: failure.attempts };
    records[failure.index] = output.partition === undefined ? base : { ...base, partition: output.partition };
  }
  for (const index of columns.late ?? []) records[index] = { ...(records[index] as EngineRecord), late: true };
  return records;
}

/** How many records `columns` carry. */
export function columnCount(columns: RecordColumns): number {
  return columns.offsets.length;
}

/**
 * `columns` with every value `canSend` refuses replaced: an output by a
 * failed record saying why (`UnwritableOutputError`, attempts 0), a failed
 * record's input by its description. For an endpoint whose codec cannot
 * carry everything structured clone can (devalue: class instances).
 */
export function withoutUnsendable(columns: RecordColumns, canSend: (value: unknown) => string | undefined): RecordColumns {
  const values = [...columns.values];
  const failed = (columns.failed ?? []).map((failure) => {
    const why = canSend(failure.input);
    return why === undefined ? failure : { ...failure, input: `[an input that cannot cross: ${why}]` };
  });
  const failedAt = new Set(failed.map((failure) => failure.index));
  for (let i = 0; i < values.length; i++) {
    if (failedAt.has(i)) continue;
    const why = canSend(values[i]);
    if (why === undefined) continue;
    values[i] = undefined;
    const error: WireError = {
      name: 'UnwritableOutputError',
      message: `the output cannot cross to the host (${why})`,
      code: 'ERR_TIDEMARK_UNWRITABLE_OUTPUT',
      fields: { name: 'UnwritableOutputError', code: 'ERR_TIDEMARK_UNWRITABLE_OUTPUT' },
    };
    failed.push({ index: i, input: undefined, error, attempts: 0 });
  }
  return { ...columns, values, failed };
}
