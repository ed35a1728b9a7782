import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, TransformError } from '../src/index.js';
import type { EngineOptions, FailedRecord, SourceRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { outcomes } from './helpers/outcomes.js';
import { within } from './helpers/wait.js';

// A value nested deeply enough is written by v8's serializer in one thread
// and cannot be read back by its deserializer in the other, which runs out
// of stack first (the main thread's stack is about a quarter of a worker's).
// Such a value fails its own message with ValueTooDeepError; it may neither
// take the host down (a RangeError thrown from the main thread's read loop)
// nor leave its message in flight for good (a message piscina could not
// read); every other message comes out.

const nested = (depth: number, shape: 'object' | 'array'): unknown => {
  let value: unknown = {};
  for (let i = 0; i < depth; i++) value = shape === 'array' ? [value] : { o: value };
  return value;
};

const sharedDeep = (depth: number): unknown => ({ shared: new SharedArrayBuffer(8), o: nested(depth, 'object') });

/** How deep `value` is nested (assert.deepEqual would itself run out of stack on it). */
const depthOf = (value: unknown): number => {
  let depth = 0;
  for (let at = value; typeof at === 'object' && at !== null; at = Array.isArray(at) ? at[0] : (at as { o?: unknown }).o) depth++;
  return depth - 1;
};

async function run(options: EngineOptions, source: readonly SourceRecord[]) {
  const engine = new Engine(options);
  try {
    return await outcomes(engine, source);
  } finally {
    await within(engine.close(), 'the engine to close');
  }
}

/** Only message `offset` failed, too deep (`direction`: /input/ or /output/); the `count` others came out as themselves. */
function assertOthersCameOut(outputs: ReadonlyMap<number, unknown>, failed: ReadonlyMap<number, FailedRecord>, offset: number, direction: RegExp, count: number): void {
  assertFailedTooDeep(failed, offset, direction);
  assert.equal(outputs.size, count);
  for (const [at, value] of outputs) assert.deepEqual(value, { n: at });
}

function assertFailedTooDeep(failed: ReadonlyMap<number, FailedRecord>, offset: number, direction: RegExp): void {
  assert.deepEqual([...failed.keys()], [offset], 'only the deep message failed');
  const { error } = failed.get(offset) as FailedRecord;
  assert.ok(error instanceof TransformError, `a TransformError, got ${String(error)}`);
  assert.equal(error.errorName, 'ValueTooDeepError', error.message);
  assert.equal(error.errorCode, 'ERR_TIDEMARK_VALUE_TOO_DEEP');
  assert.match(error.message, direction);
  assert.match(error.message, /nested too deeply/);
}

forEachTransport((transport) => {
  const outputs = [
    { depth: 2000, shape: 'object' },
    { depth: 10_000, shape: 'object' },
    { depth: 10_000, shape: 'array' },
    // Too deep for the worker's serializer as well.
    { depth: 100_000, shape: 'object' },
  ] as const;
  for (const { depth, shape } of outputs) {
    test(`an output nested ${depth} ${shape}s deep fails its own message; the others come out`, async () => {
      const source = Array.from({ length: 12 }, (_, n) => ({ value: { n, ...(n === 3 ? { deep: depth, shape } : {}) } }));
      const { outputs, failed } = await run(
        { transport, transform: fixture('deep.js'), threads: 2, concurrency: 4, retry: { attempts: 1 } },
        source,
      );
      assertFailedTooDeep(failed, 3, /output/);
      assert.deepEqual(
        [...outputs].sort(([a], [b]) => a - b),
        [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => [n, { n }]),
      );
    });
  }

  test('an output nested 2000 arrays deep can be read back: it comes out whole', async () => {
    const { outputs, failed } = await run(
      { transport, transform: fixture('deep.js'), threads: 1, concurrency: 2 },
      [{ value: { n: 0, deep: 2000, shape: 'array' } }, { value: { n: 1 } }],
    );
    assert.equal(failed.size, 0, [...failed.values()].map((record) => record.error.message).join('; '));
    const back = outputs.get(0);
    assert.equal(depthOf(back), 2000);
    assert.ok(Array.isArray(back));
    assert.deepEqual(outputs.get(1), { n: 1 });
  });

  test('an input nested too deeply for the main thread to send fails its own message', async () => {
    const source = Array.from({ length: 8 }, (_, n) => ({ value: n === 2 ? nested(100_000, 'object') : { n } }));
    const { outputs, failed } = await run(
      { transport, transform: fixture('deep.js'), threads: 2, concurrency: 4, retry: { attempts: 1 } },
      source,
    );
    assertOthersCameOut(outputs, failed, 2, /input/, 7);
  });

  // The second input crosses by structured clone (v8's serializer refuses a SharedArrayBuffer): see below.
  for (const [what, deep] of [
    ['an input a worker cannot read back (2000 deep, a 1 MB worker stack)', () => nested(2000, 'object')],
    ['an input holding a SharedArrayBuffer, nested too deeply for its worker (1 MB stack),', () => sharedDeep(2000)],
  ] as const) {
    test(`${what} fails its own message; the worker goes on`, async () => {
      const source = Array.from({ length: 8 }, (_, n) => ({ value: n === 2 ? deep() : { n } }));
      const { outputs, failed } = await run(
        {
          transport,
          transform: fixture('deep.js'),
          threads: 1,
          concurrency: 4,
          retry: { attempts: 1 },
          resourceLimits: { stackSizeMb: 1 },
        },
        source,
      );
      assertOthersCameOut(outputs, failed, 2, /input/, 7);
    });
  }

  // A value holding a SharedArrayBuffer crosses by structured clone (v8's
  // serializer refuses it), read by the receiving MessagePort itself: one
  // too deep for the receiver would be lost there (the ring's port) or throw
  // out of piscina's handler (the task transport's). The ring sends it
  // alone, just before its record, so that the record still fails its
  // message; the task transport sends such a value only up to 1,000 levels.
  test('an output holding a SharedArrayBuffer, nested too deeply for the main thread, fails its own message', async () => {
    const source = Array.from({ length: 8 }, (_, n) => ({ value: { n, ...(n === 2 ? { deep: 2000, shared: true } : {}) } }));
    const { outputs, failed } = await run(
      { transport, transform: fixture('deep.js'), threads: 1, concurrency: 4, retry: { attempts: 1 } },
      source,
    );
    assertOthersCameOut(outputs, failed, 2, /output/, 7);
  });

  test('a value holding a SharedArrayBuffer, nested 500 deep, makes the round trip', async () => {
    const { outputs, failed } = await run(
      { transport, transform: fixture('identity.js'), threads: 1, concurrency: 2 },
      [{ value: sharedDeep(500) }, { value: 1 }],
    );
    assert.equal(failed.size, 0, [...failed.values()].map((record) => record.error.message).join('; '));
    const back = outputs.get(0) as { shared: unknown };
    assert.ok(back.shared instanceof SharedArrayBuffer);
    assert.equal(depthOf(back), 501);
  });
});

