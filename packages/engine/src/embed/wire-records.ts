import type { TidemarkError } from '../errors.js';
import type { EngineRecord, FailedRecord } from '../message.js';
import { fromWireError, toWireError } from './wire-error.js';
import type { WireError } from './wire-error.js';

/** A record as it crosses: a failed record's error as a {@link WireError}. */
export type WireRecord = Exclude<EngineRecord, FailedRecord> | (Omit<FailedRecord, 'error'> & { readonly error: WireError });

/** `records` ready to cross: outputs as they are, failed records with their error made plain. */
export function encodeRecords(records: EngineRecord[]): EngineRecord[] {
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as EngineRecord;
    if (record.kind === 'failed') records[i] = { ...record, error: toWireError(record.error) as unknown as TidemarkError };
  }
  return records;
}

/** `records` as they left the far side: failed records' errors made again with their class. */
export function decodeRecords(records: EngineRecord[]): EngineRecord[] {
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as EngineRecord;
    if (record.kind === 'failed') records[i] = { ...record, error: fromWireError(record.error as unknown as WireError) as TidemarkError };
  }
  return records;
}
