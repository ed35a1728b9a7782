import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, InvalidMessageError } from '../src/index.js';
import type { EngineRecord, FailedRecord, SourceRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { within } from './helpers/wait.js';

// A priority function that throws or gives anything but a finite number
// fails that message alone, as a bad item does: a failed record with an
// InvalidMessageError saying what the function did, the message's own
// offset, key and event time kept. Every other message runs.

const thrown = new RangeError('no rank for this one');

/** What the test's priority function gives for each `value.give`. */
const gives: Record<string, () => unknown> = {
  one: () => 1,
  throw: () => {
    throw thrown;
  },
  nan: () => Number.NaN,
  infinity: () => Number.POSITIVE_INFINITY,
  string: () => '3',
  nothing: () => undefined,
  half: () => -0.5,
};

const expected: Record<string, string | undefined> = {
  one: undefined,
  throw: 'the priority function threw: RangeError: no rank for this one',
  nan: 'the priority function must return a finite number, got `NaN` (number)',
  infinity: 'the priority function must return a finite number, got `Infinity` (number)',
  string: 'the priority function must return a finite number, got `"3"` (string)',
  nothing: 'the priority function must return a finite number, got `undefined` (undefined)',
  half: undefined,
};

forEachTransport((transport) => {
  test('priority: a priority function that throws or returns a non-finite number fails only its message, saying so', async (t) => {
    const seen: SourceRecord[] = [];
    const engine = new Engine({
      transport,
      transform: fixture('echo.js'),
      threads: 1,
      priority: (record) => {
        seen.push(record);
        return (gives[(record.value as { give: string }).give] as () => number)();
      },
    });
    t.after(() => within(engine.close(), 'the engine to close'));
    const kinds = Object.keys(gives);
    const source: SourceRecord[] = kinds.map((give, i) => ({ value: { give }, key: `k${i}`, eventTime: 1000 + i }));
    const records: EngineRecord[] = [];
    for await (const record of engine.process(source)) records.push(record);
    assert.equal(seen.length, source.length, 'run once per message');
    for (const [i, record] of source.entries()) assert.equal(seen[i], record, `message ${i}: the function gets the source's own record`);

    const byOffset = records.sort((a, b) => a.offset - b.offset);
    assert.deepEqual(
      byOffset.map((record) => [record.offset, record.kind]),
      kinds.map((give, i) => [i, expected[give] === undefined ? 'output' : 'failed']),
    );
    for (const [i, give] of kinds.entries()) {
      const record = byOffset[i] as EngineRecord;
      const message = expected[give];
      if (message === undefined) continue;
      const failed = record as FailedRecord;
      assert.ok(failed.error instanceof InvalidMessageError, `${give}: ${String(failed.error)}`);
      assert.equal(failed.error.code, 'ERR_TIDEMARK_INVALID_MESSAGE');
      assert.equal(failed.error.message, message, give);
      assert.deepEqual([failed.key, failed.eventTime, failed.attempts, failed.input], [`k${i}`, 1000 + i, 0, { give }], `${give}: the message's own fields`);
      if (give === 'throw') assert.equal(failed.error.cause, thrown, 'the thrown error is the cause');
    }
    assert.deepEqual([engine.stats?.failed, engine.stats?.read], [5, 7]);
  });
});

test('priority: an async priority function that rejects fails its message, and its rejection is never unhandled', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const engine = new Engine({
    transform: fixture('identity.js'),
    threads: 1,
    priority: (async () => {
      throw new Error('async priority failed');
    }) as unknown as (record: SourceRecord) => number,
  });
  try {
    const records: EngineRecord[] = [];
    for await (const record of engine.process([{ value: 1 }, { value: 2 }])) records.push(record);
    assert.deepEqual(records.map((r) => r.kind), ['failed', 'failed']);
    assert.ok(records.every((r) => r.kind === 'failed' && r.error instanceof InvalidMessageError && /got `\[object Promise\]`|Promise/.test(r.error.message)));
    // Two turns: a rejection nobody handled is reported after the microtasks of the turn it happened in.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await engine.close();
  }
});
