import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimeoutError, withDeadline } from '../src/deadline.js';

// withDeadline runs in the worker's realm, whose globals a transform may
// have replaced: it must use the originals. The globals are replaced only
// while withDeadline itself runs (the test runner needs them after); the
// transforms here use the real Promise, taken first.

const RealPromise = Promise;

function withPoisonedGlobals<T>(body: () => T): T {
  const saved = {
    Promise: globalThis.Promise,
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    AbortController: globalThis.AbortController,
    // eslint-disable-next-line @typescript-eslint/unbound-method -- put back on its prototype below
    then: Promise.prototype.then,
  };
  const poisoned = (name: string) => () => {
    throw new Error(`poisoned ${name} called`);
  };
  const globals = globalThis as Record<string, unknown>;
  globals.Promise = poisoned('Promise');
  globals.setTimeout = poisoned('setTimeout');
  globals.clearTimeout = poisoned('clearTimeout');
  globals.AbortController = poisoned('AbortController');
  saved.Promise.prototype.then = poisoned('then') as never;
  try {
    return body();
  } finally {
    Object.assign(globals, { Promise: saved.Promise, setTimeout: saved.setTimeout, clearTimeout: saved.clearTimeout, AbortController: saved.AbortController });
    saved.Promise.prototype.then = saved.then;
  }
}

test('a sync result, an async one and a try past its deadline, with the globals replaced', async () => {
  assert.equal(withPoisonedGlobals(() => withDeadline(1000, () => 5)), 5);
  let release: ((value: number) => void) | undefined;
  const pending = withPoisonedGlobals(() => withDeadline(1000, () => new RealPromise<number>((resolve) => (release = resolve))));
  release?.(6);
  assert.equal(await (pending as Promise<number>), 6);
  let signal: AbortSignal | undefined;
  const late = withPoisonedGlobals(() =>
    withDeadline(5, (given) => {
      signal = given;
      return new RealPromise(() => {});
    }),
  );
  await assert.rejects(late as Promise<unknown>, (error: unknown) => error instanceof TimeoutError && error.code === 'ERR_TIDEMARK_TIMEOUT');
  assert.equal(signal?.aborted, true);
});
