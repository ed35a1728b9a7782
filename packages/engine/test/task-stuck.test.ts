import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, TransformError } from '../src/index.js';
import type { EngineRecord, MessageTrace } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { within } from './helpers/wait.js';

// A transform spinning in sync code past `timeout` holds its worker's
// thread: nothing in that worker can end it. The engine terminates that
// worker a grace past the deadline, over either transport: the stuck
// message fails its try with TimeoutError, the messages waiting behind it
// on that worker go out again without being charged a try, and the run and
// close() end. spin.js spins until the test opens its gate, which the test
// does only after close() returned (or, should it fail, in t.after).

forEachTransport((transport) => {
  test('a message spinning in sync code past the timeout fails alone; its worker is replaced; the run and close() end', async (t) => {
    const gate = new SharedArrayBuffer(4);
    const release = () => {
      Atomics.store(new Int32Array(gate), 0, 1);
    };
    const engine = new Engine({
      transport,
      transform: fixture('spin.js'),
      // All three at the one worker: the first holds its thread, the others wait behind it.
      threads: 1,
      concurrency: 3,
      timeout: 200,
      retry: { attempts: 1 },
    });
    t.after(async () => {
      release();
      await within(engine.close(), 'the engine to close');
    });
    const acks = new Map<number, number>();
    engine.on('ack', (trace: MessageTrace) => acks.set(trace.offset, trace.attempts));
    const records: EngineRecord[] = [];
    await within(
      (async () => {
        for await (const record of engine.process([{ value: { n: 0, gate } }, { value: { n: 1 } }, { value: { n: 2 } }])) {
          records.push(record);
        }
      })(),
      'the run with a stuck transform to end',
    );
    await within(engine.close(), 'close() with the stuck transform still spinning');
    records.sort((a, b) => a.offset - b.offset);
    const [stuck, ...rest] = records;
    assert.ok(stuck?.kind === 'failed', `offset 0 failed, got ${stuck?.kind}`);
    assert.equal(stuck.offset, 0);
    assert.equal(stuck.attempts, 1);
    assert.ok(stuck.error instanceof TransformError);
    assert.equal(stuck.error.errorName, 'TimeoutError');
    assert.equal(stuck.error.errorCode, 'ERR_TIDEMARK_TIMEOUT');
    assert.deepEqual(
      rest.map((record) => [record.offset, record.kind === 'output' ? record.value : record.kind]),
      [
        [1, { n: 1, attempt: 1 }],
        [2, { n: 2, attempt: 1 }],
      ],
    );
    assert.deepEqual([acks.get(1), acks.get(2)], [1, 1], 'the bystanders were not charged a try');
    assert.equal(engine.stats?.retried, 0);
  });
});
