import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimeoutError, TransformModuleError, ValueTooDeepError } from '../src/index.js';

// The worker package's error classes, as the engine's table test checks its
// own (packages/engine/test/errors.test.ts): a fixed name and code, and a
// default message, so that no error shows up blank.

/** One way to make an error, and the message it gets. */
interface Made {
  readonly make: () => Error & { readonly code: string };
  readonly message: string;
}

interface Row {
  readonly type: abstract new (...args: never[]) => Error;
  readonly code: string;
  /** Made with no message. */
  readonly byDefault: Made;
  /** Made with an empty message: the default too. */
  readonly empty: Made;
  /** Made with a message of its own. */
  readonly given: Made;
}

const rows: Row[] = [
  {
    type: TimeoutError,
    code: 'ERR_TIDEMARK_TIMEOUT',
    byDefault: { make: () => new TimeoutError(), message: 'the transform took longer than its timeout' },
    empty: { make: () => new TimeoutError(''), message: 'the transform took longer than its timeout' },
    given: { make: () => new TimeoutError('the transform took longer than 5 ms'), message: 'the transform took longer than 5 ms' },
  },
  {
    type: ValueTooDeepError,
    code: 'ERR_TIDEMARK_VALUE_TOO_DEEP',
    byDefault: { make: () => new ValueTooDeepError(), message: 'a value is nested too deeply to cross between the main thread and a worker' },
    empty: { make: () => new ValueTooDeepError(''), message: 'a value is nested too deeply to cross between the main thread and a worker' },
    given: { make: () => new ValueTooDeepError('the input is nested too deeply'), message: 'the input is nested too deeply' },
  },
  {
    type: TransformModuleError,
    code: 'ERR_TIDEMARK_TRANSFORM_MODULE',
    byDefault: { make: () => new TransformModuleError(), message: 'the transform module could not be loaded, or is not a valid module' },
    empty: { make: () => new TransformModuleError(''), message: 'the transform module could not be loaded, or is not a valid module' },
    given: { make: () => new TransformModuleError('cannot load transform module x.js: gone'), message: 'cannot load transform module x.js: gone' },
  },
];

test('every error class has a fixed name and code, and a default message', () => {
  for (const row of rows) {
    const name = row.type.name;
    assert.notEqual(row.byDefault.make().message, '', `${name} has a default message`);
    for (const { make, message } of [row.byDefault, row.empty, row.given]) {
      const error = make();
      assert.ok(error instanceof row.type, name);
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
});

test('errors keep their cause', () => {
  const cause = new RangeError('Maximum call stack size exceeded');
  for (const type of [TimeoutError, ValueTooDeepError, TransformModuleError]) {
    assert.equal(new type('it failed', { cause }).cause, cause, type.name);
    assert.equal(new type(undefined, { cause }).cause, cause, type.name);
  }
});

test('the table has a row for every error class the package exports', async () => {
  const module: Record<string, unknown> = await import('../src/index.js');
  const exported = Object.entries(module).filter(
    (entry): entry is [string, abstract new () => Error] => typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
  );
  assert.deepEqual(exported.map(([name]) => name).sort(), rows.map((row) => row.type.name).sort(), 'one row per exported error class');
});
