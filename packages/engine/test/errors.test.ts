import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BufferFullError,
  EngineBusyError,
  EngineClosedError,
  InvalidMessageError,
  InvalidOptionError,
  MalformedInputError,
  RecordTooLargeError,
  TidemarkError,
  TransformError,
  TransformLoadError,
} from '../src/index.js';

interface Row {
  readonly make: () => TidemarkError;
  readonly type: abstract new (...args: never[]) => TidemarkError;
  readonly name: string;
  readonly code: string;
  /** The message it gets: the default one, or the one built from its arguments. */
  readonly message: string;
}

const rows: readonly Row[] = [
  {
    make: () => new BufferFullError('input', { messages: 4, bytes: 1024 }),
    type: BufferFullError,
    name: 'BufferFullError',
    code: 'ERR_TIDEMARK_BUFFER_FULL',
    message: "the input buffer was full (4 messages or 1024 bytes) and its overflow policy is 'reject'",
  },
  {
    make: () => new RecordTooLargeError(7, 2048, 1024),
    type: RecordTooLargeError,
    name: 'RecordTooLargeError',
    code: 'ERR_TIDEMARK_RECORD_TOO_LARGE',
    message: 'line 7: a record of 2048 bytes is over the limit of 1024 bytes',
  },
  { make: () => new TidemarkError('base'), type: TidemarkError, name: 'TidemarkError', code: 'ERR_TIDEMARK', message: 'base' },
  {
    make: () => new InvalidOptionError('concurrency', 'an integer from 1 and up', 0),
    type: InvalidOptionError,
    name: 'InvalidOptionError',
    code: 'ERR_TIDEMARK_INVALID_OPTION',
    message: 'Expected `concurrency` to be an integer from 1 and up, got `0` (number)',
  },
  {
    make: () => new TransformError({ name: 'TypeError', message: 'boom', code: 'E_BOOM', stack: undefined }),
    type: TransformError,
    name: 'TransformError',
    code: 'ERR_TIDEMARK_TRANSFORM',
    message: 'boom',
  },
  {
    make: () => new TransformLoadError('no default export'),
    type: TransformLoadError,
    name: 'TransformLoadError',
    code: 'ERR_TIDEMARK_TRANSFORM_LOAD',
    message: 'no default export',
  },
  {
    make: () => new InvalidMessageError('not an object'),
    type: InvalidMessageError,
    name: 'InvalidMessageError',
    code: 'ERR_TIDEMARK_INVALID_MESSAGE',
    message: 'not an object',
  },
  {
    make: () => new MalformedInputError(7, 'not JSON'),
    type: MalformedInputError,
    name: 'MalformedInputError',
    code: 'ERR_TIDEMARK_MALFORMED_INPUT',
    message: 'line 7: not JSON',
  },
  {
    make: () => new EngineClosedError(),
    type: EngineClosedError,
    name: 'EngineClosedError',
    code: 'ERR_TIDEMARK_ENGINE_CLOSED',
    message: 'the engine is closed',
  },
  {
    make: () => new EngineBusyError(),
    type: EngineBusyError,
    name: 'EngineBusyError',
    code: 'ERR_TIDEMARK_ENGINE_BUSY',
    message: 'the engine is already running a process() call; finish or abort it first',
  },
];

test('every error class has a fixed name and code, its message, and is a TidemarkError', () => {
  for (const row of rows) {
    const error = row.make();
    assert.ok(error instanceof row.type, row.name);
    assert.ok(error instanceof TidemarkError, row.name);
    assert.ok(error instanceof Error, row.name);
    assert.equal(error.name, row.name);
    assert.equal(error.code, row.code, row.name);
    assert.equal(error.message, row.message, row.name);
    assert.equal(String(error), `${row.name}: ${row.message}`);
    assert.ok(error.stack?.startsWith(`${row.name}: ${row.message}\n`), `${row.name}'s stack names it`);
  }
  const codes = rows.map((row) => row.code);
  assert.equal(new Set(codes).size, codes.length, `codes are distinct: ${codes.join(', ')}`);
  assert.ok(codes.every((code) => code.startsWith('ERR_TIDEMARK')));
});

test('the table covers every error class the package exports', async () => {
  const exported = Object.entries(await import('../src/index.js'))
    .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
    .map(([name]) => name)
    .sort();
  assert.deepEqual(exported, rows.map((row) => row.name).sort());
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
