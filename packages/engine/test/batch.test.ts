import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import { Gates, fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';

forEachTransport((transport) => {
  test('batch mode waits for the whole batch, emits it in order, and reads the next only after the ack', async (t) => {
    const engine = new Engine({ transport, transform: fixture('gated.js'), threads: 2, concurrency: 4, mode: 'batch', batchSize: 3 });
    t.after(() => engine.close());
    const gates = new Gates(7);
    const records = engine.process(Array.from({ length: 7 }, (_, i) => gates.message(i)));
    const first = records.next();
    await gates.started(3);
    assert.equal(engine.stats?.read, 3, 'only the first batch is read');
    gates.open(2);
    gates.open(1);
    gates.open(0);
    assert.equal((await first).value?.offset, 0);
    assert.ok(engine.traces().every((trace) => trace.stage === 'completed' || trace.stage === 'emitted'));
    assert.equal((await records.next()).value?.offset, 1);
    assert.equal((await records.next()).value?.offset, 2);
    assert.equal(engine.stats?.read, 3, 'the next batch waits for the ack of this one');
    for (let i = 3; i < 7; i++) gates.open(i);
    const rest: number[] = [];
    for await (const record of records) rest.push(record.offset);
    assert.deepEqual(rest, [3, 4, 5, 6]);
    assert.equal(engine.stats?.read, 7);
  });
});
