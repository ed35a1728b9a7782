import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, EngineBusyError, EngineClosedError } from '../src/index.js';
import { Gates, fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';

/** An endless async source that records whether it was told to stop. */
function endless(gates: Gates, limit: number) {
  const state = { returned: false };
  async function* generate() {
    try {
      for (let i = 0; ; i++) {
        // Past `limit` the source has nothing more for now: it waits forever.
        if (i >= limit) await new Promise(() => {});
        yield gates.message(i);
      }
    } finally {
      state.returned = true;
    }
  }
  return { state, source: generate() };
}

forEachTransport((transport) => {
  test('aborting process() stops reading; what is in flight is still handed over', async (t) => {
    const engine = new Engine({ transport, transform: fixture('gated.js'), threads: 2, concurrency: 4 });
    t.after(() => engine.close());
    const gates = new Gates(100);
    const { source } = endless(gates, 100);
    const controller = new AbortController();
    const records = engine.process(source, { signal: controller.signal });
    const first = records.next();
    await gates.started(4);
    controller.abort();
    const read = engine.stats?.read ?? 0;
    assert.equal(engine.committedOffset, 0, 'the lowest offset in flight');
    for (let i = 0; i < read; i++) gates.open(i);
    const offsets = [(await first).value?.offset];
    for await (const record of records) offsets.push(record.offset);
    assert.deepEqual(offsets.sort((a, b) => (a ?? 0) - (b ?? 0)), [...Array(read).keys()]);
    assert.equal(engine.stats?.read, read, 'nothing read after the abort');
    assert.equal(engine.committedOffset, read, 'all acked: resume after the last offset read');
  });

  test('abort also ends a source that is blocked waiting for its next item', async (t) => {
    const engine = new Engine({ transport, transform: fixture('gated.js'), threads: 1, concurrency: 2 });
    t.after(() => engine.close());
    const gates = new Gates(3);
    for (let i = 0; i < 3; i++) gates.open(i);
    const { source } = endless(gates, 3);
    const controller = new AbortController();
    const offsets: number[] = [];
    for await (const record of engine.process(source, { signal: controller.signal })) {
      offsets.push(record.offset);
      if (offsets.length === 3) controller.abort();
    }
    assert.deepEqual(offsets.sort(), [0, 1, 2]);
  });

  test('close() lets in-flight messages finish, and the engine refuses new work after it', async () => {
    const engine = new Engine({ transport, transform: fixture('gated.js'), threads: 2, concurrency: 3 });
    const gates = new Gates(50);
    const { source, state } = endless(gates, 50);
    const records = engine.process(source);
    const first = records.next();
    await gates.started(3);
    assert.throws(() => engine.process([]), EngineBusyError);
    const closed = engine.close();
    const read = engine.stats?.read ?? 0;
    for (let i = 0; i < read; i++) gates.open(i);
    await closed;
    const offsets = [(await first).value?.offset];
    for await (const record of records) offsets.push(record.offset);
    assert.equal(offsets.length, read, 'every message read before close() is handed over');
    assert.equal(state.returned, true, 'the source was returned');
    assert.throws(() => engine.process([]), EngineClosedError);
    await engine.close();
  });

  test('Symbol.asyncDispose closes the engine', async () => {
    let outer: Engine | undefined;
    {
      await using engine = new Engine({ transport, transform: fixture('echo.js'), threads: 1 });
      outer = engine;
      for await (const record of engine.process([{ value: 1 }])) assert.equal(record.kind, 'output');
    }
    assert.throws(() => outer.process([]), EngineClosedError);
  });

  test('an engine closed right after it is created waits for its workers to load, and the process lives on', async () => {
    // On Node 20 a worker terminated while piscina is still loading its module
    // aborts the whole process; close() waits until every worker has loaded.
    for (let i = 0; i < 8; i++) {
      const engine = new Engine({ transport, transform: fixture('echo.js'), threads: 2 });
      await engine.close();
      assert.equal(engine.processing, 0);
    }
  });
});
