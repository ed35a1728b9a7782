import { inspect } from 'node:util';
import { MalformedInputError, RecordTooLargeError, UnwritableOutputError } from '../errors.js';
import type { TidemarkError, TransformError } from '../errors.js';
import type { EngineRecord, FailedRecord } from '../message.js';

// Engine records as NDJSON lines, for the sink and the dead-letter file.
// `JSON.stringify` writes what it can (a Map or Set as `{}`, an undefined
// value left out, a Date as its ISO string) and throws on a BigInt or a
// circular reference: such a record is turned into a failed record with
// `UnwritableOutputError`, which always encodes.

/** A record's line (without its newline) or, when JSON cannot encode it, the failed record to write in its place (no wrapper: one per record written). */
export type RecordLine = string | FailedRecord;

/** `record` as an output line (`{ kind: 'output', … }` or `{ kind: 'failed', … }`), or the failed record to write instead. */
export function recordLine(record: EngineRecord): RecordLine {
  const data = record.kind === 'output' ? record : { kind: 'failed', ...failedRecordData(record) };
  try {
    return JSON.stringify(data);
  } catch (error) {
    return unwritable(record, error);
  }
}

/** A failed record as a dead-letter line (no `kind`), or the failed record to write instead. */
export function deadLetterLine(record: FailedRecord): RecordLine {
  try {
    return JSON.stringify(failedRecordData(record));
  } catch (error) {
    return unwritable(record, error);
  }
}

/**
 * A failed record as plain JSON data: `{ offset, line?, key, eventTime, late?,
 * attempts, error: { name, code, message, errorName?, errorCode? }, input,
 * stage?, branch? }`, `line` being the 1-based line of a malformed input
 * line, `stage` and `branch` where a pipeline's stage failed it.
 */
export function failedRecordData(record: FailedRecord): Record<string, unknown> {
  return {
    offset: record.offset,
    ...(record.error instanceof MalformedInputError || record.error instanceof RecordTooLargeError ? { line: record.error.line } : {}),
    key: record.key,
    eventTime: record.eventTime,
    ...(record.late === true ? { late: true } : {}),
    attempts: record.attempts,
    error: errorData(record.error),
    input: record.input,
    // A pipeline's failed record names the stage (and branch) it failed in.
    ...pipelineStage(record as FailedRecord & { stage?: unknown; branch?: unknown }),
  };
}

function pipelineStage({ stage, branch }: { stage?: unknown; branch?: unknown }): Record<string, unknown> {
  if (typeof stage !== 'string') return {};
  return typeof branch === 'string' ? { stage, branch } : { stage };
}

function errorData(error: TidemarkError): Record<string, unknown> {
  const remote = error as Partial<TransformError>;
  return {
    name: error.name,
    code: error.code,
    message: error.message,
    ...(remote.errorName === undefined ? {} : { errorName: remote.errorName, errorCode: remote.errorCode }),
  };
}

/**
 * The failed record written in the place of `record`, which JSON could not
 * encode (`error`): its offset, key and event time, no input (an output's
 * input is not at hand; a failed record's could not be written), and an
 * {@link UnwritableOutputError} saying why, showing the value, and for a
 * failed record the error it had. `attempts` is 0 for an output: no try
 * failed, the output was made and could not be written.
 */
function unwritable(record: EngineRecord, error: unknown): FailedRecord {
  const reason = oneLine(error instanceof Error ? error.message : String(error));
  const message =
    record.kind === 'output'
      ? `the output ${show(record.value)} cannot be written as JSON (${reason})`
      : `the failed record's input ${show(record.input)} cannot be written as JSON (${reason}); it failed with ${record.error.code}: ${oneLine(record.error.message)}`;
  return {
    kind: 'failed',
    offset: record.offset,
    key: record.key,
    eventTime: record.eventTime,
    input: undefined,
    error: new UnwritableOutputError(message, { cause: error }),
    attempts: record.kind === 'output' ? 0 : record.attempts,
    ...(record.partition === undefined ? {} : { partition: record.partition }),
    ...(record.late === true ? { late: true } : {}),
  } satisfies FailedRecord;
}

/** A short one-line view of a value JSON could not encode: `{ n: 10n }`, `<ref *1> { a: 1, self: [Circular *1] }`. */
function show(value: unknown): string {
  const text = oneLine(inspect(value, { depth: 2, breakLength: Number.POSITIVE_INFINITY, maxArrayLength: 10, maxStringLength: 100 }));
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' ');
}
