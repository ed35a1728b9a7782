import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BranchFailedError,
  BrokerError,
  BufferFullError,
  EngineBusyError,
  EngineClosedError,
  EngineDisconnectedError,
  InvalidMessageError,
  InvalidOptionError,
  MalformedInputError,
  RecordTooLargeError,
  TidemarkError,
  TransformError,
  TransformLoadError,
  UnwritableOutputError,
} from '../src/index.js';

/** One way to make an error, and the message it gets. */
interface Made {
  readonly make: () => TidemarkError;
  readonly message: string;
}

interface Row {
  readonly type: abstract new (...args: never[]) => TidemarkError;
  readonly code: string;
  /** Made with no message: no argument, or only the data its message is built from. */
  readonly byDefault: Made;
  /** Made with a message of its own, for the classes that take one. */
  readonly given?: Made;
}

const rows: readonly Row[] = [
  {
    type: BranchFailedError,
    code: 'ERR_TIDEMARK_BRANCH_FAILED',
    byDefault: { make: () => new BranchFailedError('features', 'text'), message: "stage 'features', branch 'text' failed" },
    given: {
      make: () => new BranchFailedError('features', 'text', new TransformError({ name: 'Error', message: 'boom', code: undefined, stack: undefined })),
      message: "stage 'features', branch 'text' failed: boom",
    },
  },
  {
    type: BrokerError,
    code: 'ERR_TIDEMARK_BROKER',
    byDefault: { make: () => new BrokerError(), message: 'the message broker failed' },
    given: { make: () => new BrokerError('no stream ORDERS'), message: 'no stream ORDERS' },
  },
  {
    type: BufferFullError,
    code: 'ERR_TIDEMARK_BUFFER_FULL',
    byDefault: {
      make: () => new BufferFullError('input', { messages: 4, bytes: 1024 }),
      message: "the input buffer was full (4 messages or 1024 bytes) and its overflow policy is 'reject'",
    },
  },
  {
    type: RecordTooLargeError,
    code: 'ERR_TIDEMARK_RECORD_TOO_LARGE',
    byDefault: { make: () => new RecordTooLargeError(7, 2048, 1024), message: 'line 7: a record of 2048 bytes is over the limit of 1024 bytes' },
  },
  {
    type: TidemarkError,
    code: 'ERR_TIDEMARK',
    byDefault: { make: () => new TidemarkError(), message: 'Tidemark failed' },
    given: { make: () => new TidemarkError('base'), message: 'base' },
  },
  {
    type: InvalidOptionError,
    code: 'ERR_TIDEMARK_INVALID_OPTION',
    byDefault: {
      make: () => new InvalidOptionError('concurrency', 'an integer from 1 and up', 0),
      message: 'Expected `concurrency` to be an integer from 1 and up, got `0` (number)',
    },
  },
  {
    type: TransformError,
    code: 'ERR_TIDEMARK_TRANSFORM',
    // The transform threw an error with an empty message.
    byDefault: {
      make: () => new TransformError({ name: 'TypeError', message: '', code: undefined, stack: undefined }),
      message: 'the transform threw TypeError with no message',
    },
    given: { make: () => new TransformError({ name: 'TypeError', message: 'boom', code: 'E_BOOM', stack: undefined }), message: 'boom' },
  },
  {
    type: TransformLoadError,
    code: 'ERR_TIDEMARK_TRANSFORM_LOAD',
    byDefault: { make: () => new TransformLoadError(), message: 'the transform module could not be loaded, or has no default export function' },
    given: { make: () => new TransformLoadError('no default export'), message: 'no default export' },
  },
  {
    type: InvalidMessageError,
    code: 'ERR_TIDEMARK_INVALID_MESSAGE',
    byDefault: { make: () => new InvalidMessageError(), message: 'a source item is not a valid message' },
    given: { make: () => new InvalidMessageError('not an object'), message: 'not an object' },
  },
  {
    type: MalformedInputError,
    code: 'ERR_TIDEMARK_MALFORMED_INPUT',
    byDefault: { make: () => new MalformedInputError(7), message: 'line 7: not a valid input record' },
    given: { make: () => new MalformedInputError(7, 'not JSON'), message: 'line 7: not JSON' },
  },
  {
    type: EngineClosedError,
    code: 'ERR_TIDEMARK_ENGINE_CLOSED',
    byDefault: { make: () => new EngineClosedError(), message: 'the engine is closed' },
  },
  {
    type: EngineDisconnectedError,
    code: 'ERR_TIDEMARK_ENGINE_DISCONNECTED',
    byDefault: { make: () => new EngineDisconnectedError(), message: 'the remote engine disconnected' },
    given: { make: () => new EngineDisconnectedError('the socket closed'), message: 'the socket closed' },
  },
  {
    type: EngineBusyError,
    code: 'ERR_TIDEMARK_ENGINE_BUSY',
    byDefault: { make: () => new EngineBusyError(), message: 'the engine is already running a process() call; finish or abort it first' },
  },
  {
    type: UnwritableOutputError,
    code: 'ERR_TIDEMARK_UNWRITABLE_OUTPUT',
    byDefault: { make: () => new UnwritableOutputError(), message: 'the record cannot be written as JSON' },
    given: { make: () => new UnwritableOutputError('the output { n: 10n } cannot be written as JSON'), message: 'the output { n: 10n } cannot be written as JSON' },
  },
];

test('every error class has a fixed name and code, a default message, and is a TidemarkError', () => {
  for (const row of rows) {
    const name = row.type.name;
    assert.notEqual(row.byDefault.make().message, '', `${name} has a default message`);
    for (const { make, message } of row.given === undefined ? [row.byDefault] : [row.byDefault, row.given]) {
      const error = make();
      assert.ok(error instanceof row.type, name);
      assert.ok(error instanceof TidemarkError, name);
      assert.ok(error instanceof Error, name);
      assert.equal(error.name, name, 'the name is the class name');
      assert.equal(error.code, row.code, name);
      assert.equal(error.message, message, name);
      assert.equal(String(error), `${name}: ${message}`);
      assert.ok(error.stack?.startsWith(`${name}: ${message}\n`), `${name}'s stack names it`);
    }
  }
  const codes = rows.map((row) => row.code);
  assert.equal(new Set(codes).size, codes.length, `codes are distinct: ${codes.join(', ')}`);
  assert.ok(codes.every((code) => code.startsWith('ERR_TIDEMARK')));
});

test('the table has a row for every error class the package exports, and each is a TidemarkError', async () => {
  const module: Record<string, unknown> = await import('../src/index.js');
  const exported = Object.entries(module).filter(
    (entry): entry is [string, abstract new () => Error] => typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
  );
  for (const [name, type] of exported) assert.ok(type === TidemarkError || type.prototype instanceof TidemarkError, `${name} extends TidemarkError`);
  assert.deepEqual(exported.map(([name]) => name).sort(), rows.map((row) => row.type.name).sort(), 'one row per exported error class');
});

test('errors keep the details of their failure', () => {
  const option = new InvalidOptionError('retry.attempts', 'an integer from 1 and up', '3');
  assert.equal(option.option, 'retry.attempts');
  assert.equal(option.received, '3');
  assert.match(option.message, /got `"3"` \(string\)$/);

  const stack = 'RangeError: too far\n    at transform.js:1:1';
  const transform = new TransformError({ name: 'RangeError', message: 'too far', code: 'E_FAR', stack });
  assert.equal(transform.errorName, 'RangeError');
  assert.equal(transform.errorCode, 'E_FAR');
  assert.equal(transform.stack, stack, 'the stack is the one from the worker');
  assert.equal(new TransformError({ name: 'Error', message: 'x', code: undefined, stack: undefined }).errorCode, undefined);

  assert.equal(new MalformedInputError(12, 'no value').line, 12);
});
