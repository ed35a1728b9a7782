import assert from 'node:assert/strict';
import { test } from 'node:test';
import handle from '../src/task-worker.js';
import type { TaskRequest } from '../src/index.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).href;
const message = (transform: string, attempt = 1): TaskRequest => ({
  kind: 'message',
  transform,
  id: 0,
  value: 21,
  encoded: false,
  offset: 0,
  key: undefined,
  eventTime: 0,
  attempt,
  timeout: 0,
  board: 0,
});

test('a message runs through the transform with its context and reports when it ran', async () => {
  const result = await handle(message(fixture('double.js')));
  assert.ok(result.ok);
  assert.deepEqual(result.values, [42]);
  assert.ok(result.endedAt >= result.startedAt);
  const retried = await handle(message(fixture('double.js'), 2));
  assert.ok(retried.ok);
  assert.deepEqual(retried.values, [-1], 'the transform sees the try number');
});

test('load checks the module: a missing default export function or a throwing module is an error as data', async () => {
  assert.deepEqual(await handle({ kind: 'load', transform: fixture('double.js') }), { ok: true });
  for (const [name, pattern] of [
    ['not-a-function.js', /default export function, got number/],
    ['broken.js', /top-level failure while loading/],
    ['missing.js', /cannot load transform module/],
  ] as const) {
    const result = await handle({ kind: 'load', transform: fixture(name) });
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'ERR_TIDEMARK_TRANSFORM_MODULE');
    assert.match(result.error.message, pattern);
  }
});
