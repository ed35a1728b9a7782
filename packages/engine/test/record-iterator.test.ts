import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import type { EngineRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';

// process() returns a hand-written iterator (run/record-iterator.ts) that
// must behave as the async generator it replaced: calls queue, return() and
// throw() end it and free the engine (also before the first next()), a
// source error rejects once, and every call after the end is done.

const source = (count: number) => Array.from({ length: count }, (_, n) => ({ value: n }));

forEachTransport((transport) => {
  const open = () => new Engine({ transport, transform: fixture('identity.js'), threads: 2, concurrency: 4 });

  test('return() and throw() before the first next() end it and free the engine', async () => {
    await using engine = open();
    const returned = engine.process(source(5));
    assert.deepEqual(await returned.return(), { value: undefined, done: true });
    assert.deepEqual(await returned.next(), { value: undefined, done: true });
    const thrown = engine.process(source(5));
    const error = new Error('no thanks');
    await assert.rejects(thrown.throw(error), (e) => e === error);
    assert.deepEqual(await thrown.next(), { value: undefined, done: true });
    // Neither holds the engine's one run.
    const offsets: number[] = [];
    for await (const record of engine.process(source(5))) offsets.push(record.offset);
    assert.deepEqual(offsets.sort((a, b) => a - b), [0, 1, 2, 3, 4]);
  });

  test('next() calls made at once are answered in order, each record once, then done', async () => {
    await using engine = open();
    const iterator = engine.process(source(40));
    const results = await Promise.all(Array.from({ length: 43 }, () => iterator.next()));
    const records = results.filter((result) => result.done !== true).map((result) => result.value as EngineRecord);
    assert.equal(records.length, 40);
    // The records come first, then only done.
    assert.ok(results.slice(40).every((result) => result.done === true));
    assert.deepEqual(records.map((record) => record.offset).sort((a, b) => a - b), Array.from({ length: 40 }, (_, n) => n));
    for (const record of records) assert.equal(record.kind === 'output' && record.value, record.offset);
    assert.deepEqual(await iterator.return(), { value: undefined, done: true });
  });

  test('return() while a next() waits takes effect after it; the engine is free again', async () => {
    await using engine = open();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow() {
      yield { value: 1 };
      await gate;
      yield { value: 2 };
    }
    const iterator = engine.process(slow());
    const first = await iterator.next();
    assert.equal(first.done, false);
    // The source waits at the gate: this next() waits for the second record.
    const second = iterator.next();
    const returned = iterator.return();
    release();
    assert.deepEqual(await second.then((result) => result.done === false && result.value.offset), 1);
    assert.deepEqual(await returned, { value: undefined, done: true });
    assert.deepEqual(await iterator.next(), { value: undefined, done: true });
    let count = 0;
    for await (const record of engine.process(source(3))) count += record.kind === 'output' ? 1 : 0;
    assert.equal(count, 3);
  });

  test('a source that throws: its records, then the error once, then done', async () => {
    await using engine = open();
    const failure = new Error('source broke');
    function* broken() {
      yield { value: 0 };
      yield { value: 1 };
      throw failure;
    }
    const iterator = engine.process(broken());
    const offsets: number[] = [];
    await assert.rejects(
      (async () => {
        for (;;) {
          const result = await iterator.next();
          if (result.done === true) break;
          offsets.push(result.value.offset);
        }
      })(),
      (e) => e === failure,
    );
    assert.deepEqual(offsets.sort((a, b) => a - b), [0, 1]);
    assert.deepEqual(await iterator.next(), { value: undefined, done: true });
  });
});
