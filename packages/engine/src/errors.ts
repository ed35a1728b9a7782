/**
 * Every error the engine throws or reports: one class per failure, each with
 * a fixed `name`, `code` and default message (the pattern of undici's
 * `lib/core/errors.js`). An empty message gets the default too, so that no
 * error shows up blank.
 */
import type { SerializedError } from '@tidemark/workers';

/** The base of every Tidemark error. */
export class TidemarkError extends Error {
  override readonly name: string = 'TidemarkError';
  readonly code: string = 'ERR_TIDEMARK';

  constructor(message?: string, options?: ErrorOptions) {
    super(message || 'Tidemark failed', options);
  }
}

/** An engine or CLI option is missing, of the wrong type or out of range. */
export class InvalidOptionError extends TidemarkError {
  override readonly name = 'InvalidOptionError';
  override readonly code = 'ERR_TIDEMARK_INVALID_OPTION';
  /** The option's path, such as `retry.attempts`. */
  readonly option: string;
  /** The value that was given. */
  readonly received: unknown;

  constructor(option: string, expected: string, received: unknown) {
    super(`Expected \`${option}\` to be ${expected}, got ${show(received)}`);
    this.option = option;
    this.received = received;
  }
}

/** The transform threw (or rejected) for a message; kept on its failed record. */
export class TransformError extends TidemarkError {
  override readonly name = 'TransformError';
  override readonly code = 'ERR_TIDEMARK_TRANSFORM';
  /** The `name` of the error the transform threw, such as `TypeError`. */
  readonly errorName: string;
  /** The `code` of the error the transform threw, if it had one. */
  readonly errorCode: string | undefined;

  constructor(remote: SerializedError) {
    super(remote.message || `the transform threw ${remote.name} with no message`);
    this.errorName = remote.name;
    this.errorCode = remote.code;
    if (remote.stack !== undefined) this.stack = remote.stack;
  }
}

/** The transform module cannot be loaded or has no default export function. */
export class TransformLoadError extends TidemarkError {
  override readonly name = 'TransformLoadError';
  override readonly code = 'ERR_TIDEMARK_TRANSFORM_LOAD';

  constructor(message?: string, options?: ErrorOptions) {
    super(message || 'the transform module could not be loaded, or has no default export function', options);
  }
}

/** A source item is not a message: not an object, or a bad `eventTime`, `key` or `offset`. */
export class InvalidMessageError extends TidemarkError {
  override readonly name = 'InvalidMessageError';
  override readonly code = 'ERR_TIDEMARK_INVALID_MESSAGE';

  constructor(message?: string, options?: ErrorOptions) {
    super(message || 'a source item is not a valid message', options);
  }
}

/** A line of NDJSON input is not valid JSON, or not a record object. */
export class MalformedInputError extends TidemarkError {
  override readonly name = 'MalformedInputError';
  override readonly code = 'ERR_TIDEMARK_MALFORMED_INPUT';
  /** The 1-based line number in the input. */
  readonly line: number;

  constructor(line: number, reason?: string) {
    super(`line ${line}: ${reason || 'not a valid input record'}`);
    this.line = line;
  }
}

/** `process()` was called on an engine that is closing or closed. */
export class EngineClosedError extends TidemarkError {
  override readonly name = 'EngineClosedError';
  override readonly code = 'ERR_TIDEMARK_ENGINE_CLOSED';

  constructor() {
    super('the engine is closed');
  }
}

/**
 * A remote engine's connection went away (the WebSocket closed, the worker
 * exited, the port was closed) before the far side answered.
 */
export class EngineDisconnectedError extends TidemarkError {
  override readonly name = 'EngineDisconnectedError';
  override readonly code = 'ERR_TIDEMARK_ENGINE_DISCONNECTED';

  constructor(message?: string, options?: ErrorOptions) {
    super(message || 'the remote engine disconnected', options);
  }
}

/**
 * What was thrown, for an error message: `name: message` of an Error, else
 * its text; whatever it is (a thrown Proxy may throw again as it is shown).
 */
export function describeThrown(thrown: unknown): string {
  try {
    return thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  } catch {
    return 'a value that cannot be shown';
  }
}

/** A value and its type, for error messages: `0 (number)`, `"4" (string)`. */
export function show(value: unknown): string {
  let text: string;
  let type: string = typeof value;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : String(value);
    if (value === null) type = 'null';
    else if (Array.isArray(value)) type = 'array';
  } catch {
    // A revoked Proxy, or an object whose toString throws: even its tag may not be readable.
    try {
      text = Object.prototype.toString.call(value);
    } catch {
      text = '[unreadable object]';
    }
  }
  if (text.length > 60) text = `${text.slice(0, 57)}...`;
  return `\`${text}\` (${type})`;
}

/** `process()` was called while another run of the same engine is active. */
export class EngineBusyError extends TidemarkError {
  override readonly name = 'EngineBusyError';
  override readonly code = 'ERR_TIDEMARK_ENGINE_BUSY';

  constructor() {
    super('the engine is already running a process() call; finish or abort it first');
  }
}

/**
 * A buffer was full and its overflow policy is `'reject'`: the message that
 * did not fit becomes a failed record with this error instead of waiting.
 */
export class BufferFullError extends TidemarkError {
  override readonly name = 'BufferFullError';
  override readonly code = 'ERR_TIDEMARK_BUFFER_FULL';
  /** The buffer that was full: `input`, `processing` or `output`. */
  readonly buffer: string;

  constructor(buffer: string, limit: { readonly messages: number; readonly bytes: number }) {
    const bytes = Number.isFinite(limit.bytes) ? ` or ${limit.bytes} bytes` : '';
    super(`the ${buffer} buffer was full (${limit.messages} messages${bytes}) and its overflow policy is 'reject'`);
    this.buffer = buffer;
  }
}

/** A record of the input is longer than the largest size allowed (`--max-record-bytes`). */
export class RecordTooLargeError extends TidemarkError {
  override readonly name = 'RecordTooLargeError';
  override readonly code = 'ERR_TIDEMARK_RECORD_TOO_LARGE';
  /** The 1-based line number in the input. */
  readonly line: number;
  /** The record's length in bytes. */
  readonly bytes: number;

  constructor(line: number, bytes: number, max: number) {
    super(`line ${line}: a record of ${bytes} bytes is over the limit of ${max} bytes`);
    this.line = line;
    this.bytes = bytes;
  }
}

/**
 * A record the NDJSON sink cannot write as JSON: an output holding a BigInt
 * or a circular reference (structured clone carries both from the worker;
 * `JSON.stringify` throws on them), or a failed record whose input does. The
 * sink writes a failed record with this error in the record's place and goes
 * on; the message says why and shows the value.
 */
export class UnwritableOutputError extends TidemarkError {
  override readonly name = 'UnwritableOutputError';
  override readonly code = 'ERR_TIDEMARK_UNWRITABLE_OUTPUT';

  constructor(message?: string, options?: ErrorOptions) {
    super(message || 'the record cannot be written as JSON', options);
  }
}

/**
 * The message broker (a NATS server) could not be reached, or refused what
 * the run needs from it: a stream that does not exist, a consumer that
 * cannot be made, a connection lost mid-run.
 */
export class BrokerError extends TidemarkError {
  override readonly name = 'BrokerError';
  override readonly code = 'ERR_TIDEMARK_BROKER';

  constructor(message?: string, options?: ErrorOptions) {
    super(message || 'the message broker failed', options);
  }
}

/**
 * A branch of a pipeline's parallel stage failed for good on a message: the
 * message fails (its failed record carries this error) and the stage's join
 * does not run for it. `cause` is the branch's own error (a `TransformError`,
 * a `BufferFullError`…).
 */
export class BranchFailedError extends TidemarkError {
  override readonly name = 'BranchFailedError';
  override readonly code = 'ERR_TIDEMARK_BRANCH_FAILED';
  /** The parallel stage's name. */
  readonly stage: string;
  /** The branch that failed. */
  readonly branch: string;

  constructor(stage: string, branch: string, cause?: Error) {
    super(`stage '${stage}', branch '${branch}' failed${cause === undefined ? '' : `: ${cause.message}`}`, cause === undefined ? undefined : { cause });
    this.stage = stage;
    this.branch = branch;
  }
}
