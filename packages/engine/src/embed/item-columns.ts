import { InvalidMessageError, InvalidOptionError } from '../errors.js';
import type { SourceRecord } from '../message.js';
import { fromWireError, toWireError } from './wire-error.js';
import { undefinedUpTo } from './record-columns.js';
import { isArray } from './host-feed.js';
import type { WireError } from './wire-error.js';

type Field = 'eventTime' | 'key' | 'partition' | 'offset' | 'bytes';
const FIELDS: readonly Field[] = ['eventTime', 'key', 'partition', 'offset', 'bytes'];

/**
 * A batch of a host source's items as columns (see `RecordColumns` for why):
 * each item's `value`, the other fields only when some item has them, and
 * apart, the items that are not records (sent whole, so that the far side
 * judges them as it would in-process) and those that carry an error.
 */
export interface ItemColumns {
  readonly values: unknown[];
  readonly fields?: Partial<Record<Field, unknown[]>>;
  /** Items that are not objects with a `value`: `[index, item]`. */
  readonly raw?: [number, unknown][];
  /** Items with an `error` (a source's decode error, or one that could not be read): `[index, error]`. */
  readonly errors?: [number, WireError][];
}

/** `items` as {@link ItemColumns}. Reading an item never throws: one that throws is an item with an `InvalidMessageError`. */
export function toItemColumns(items: readonly unknown[]): ItemColumns {
  // Packed arrays, filled by push (see `toColumns`).
  const count = items.length;
  const values: unknown[] = [];
  let fields: Partial<Record<Field, unknown[]>> | undefined;
  let raw: [number, unknown][] | undefined;
  let errors: [number, WireError][] | undefined;
  const set = (field: Field, i: number, value: unknown): void => {
    const column = ((fields ??= {})[field] ??= undefinedUpTo(i));
    while (column.length < i) column.push(undefined);
    column.push(value);
  };
  for (let i = 0; i < count; i++) {
    const item = items[i] as Record<string, unknown>;
    values.push(undefined);
    if (typeof item !== 'object' || item === null || isArray(item)) {
      (raw ??= []).push([i, item]);
      continue;
    }
    let step = 'error';
    try {
      const error = item.error;
      if (error !== undefined) {
        (errors ??= []).push([i, isWireError(error) ? error : toWireError(error)]);
      }
      step = 'value';
      if (!('value' in item)) {
        (raw ??= []).push([i, { ...item }]);
        continue;
      }
      values[i] = item.value;
      for (const field of FIELDS) {
        step = field;
        const value = item[field];
        if (value !== undefined) set(field, i, value);
      }
    } catch (thrown) {
      const error = new InvalidMessageError(`the source item threw on reading \`${step}\`: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
      (errors ??= []).push([i, toWireError(error)]);
    }
  }
  if (fields !== undefined) for (const column of Object.values(fields)) while (column.length < count) column.push(undefined);
  return { values, ...(fields === undefined ? {} : { fields }), ...(raw === undefined ? {} : { raw }), ...(errors === undefined ? {} : { errors }) };
}

/** The items `columns` carry, as the far engine reads them. @throws {InvalidOptionError} for columns no host makes. */
export function fromItemColumns(columns: ItemColumns): SourceRecord[] {
  checkColumns(columns);
  const { values, fields } = columns;
  const items = new Array<SourceRecord>(values.length);
  const eventTimes = fields?.eventTime;
  const keys = fields?.key;
  const rest = fields === undefined ? [] : FIELDS.filter((field) => field !== 'eventTime' && field !== 'key' && fields[field] !== undefined);
  for (let i = 0; i < values.length; i++) {
    const item: Record<string, unknown> = { value: values[i] };
    if (eventTimes?.[i] !== undefined) item.eventTime = eventTimes[i];
    if (keys?.[i] !== undefined) item.key = keys[i];
    for (const field of rest) {
      const value = fields?.[field]?.[i];
      if (value !== undefined) item[field] = value;
    }
    items[i] = item as unknown as SourceRecord;
  }
  for (const [index, item] of columns.raw ?? []) items[index] = item as SourceRecord;
  for (const [index, error] of columns.errors ?? []) items[index] = { ...(items[index] as SourceRecord), error: fromWireError(error) };
  return items;
}

/** Whether `value` is already a {@link WireError} (an item made by the host to stand for one that cannot cross). */
function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null && !(value instanceof Error) && 'fields' in value && 'name' in value;
}

/** The most items one feed may bring. */
const MAX_ITEMS = 65_536;

/** Columns a host could have made: indexes within the batch, columns as long as it (a far side never trusts a host). */
function checkColumns(columns: ItemColumns): void {
  const count = columns.values.length;
  const bad = (what: string): InvalidOptionError => new InvalidOptionError('items', what, count);
  if (count > MAX_ITEMS) throw bad(`at most ${MAX_ITEMS} items a feed`);
  for (const column of Object.values(columns.fields ?? {})) {
    if (!Array.isArray(column) || column.length !== count) throw bad('columns as long as the batch');
  }
  for (const list of [columns.raw ?? [], columns.errors ?? []]) {
    if (!Array.isArray(list)) throw bad('index lists');
    for (const entry of list) {
      const index = Array.isArray(entry) ? (entry[0] as unknown) : undefined;
      if (!Number.isSafeInteger(index) || (index as number) < 0 || (index as number) >= count) throw bad('indexes within the batch');
    }
  }
}
