import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, TransformError } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';

async function runAll(engine: Engine, values: Record<string, unknown>[]) {
  const outputs = new Map<number, unknown>();
  const failed = new Map<number, TransformError>();
  for await (const record of engine.process(values.map((value) => ({ value })))) {
    if (record.kind === 'output') outputs.set(record.offset, record.value);
    else failed.set(record.offset, record.error as TransformError);
  }
  return { outputs, failed };
}

forEachTransport((transport) => {
  for (const hang of ['async', 'sync'] as const) {
    test(`a try past the timeout (${hang} transform) fails and is retried; the other messages are not lost`, async (t) => {
      const engine = new Engine({
        transport,
        transform: fixture('slow.js'),
        threads: 2,
        concurrency: 6,
        timeout: 100,
        retry: { attempts: 2, backoff: { initial: 0, max: 0 } },
      });
      t.after(() => engine.close());
      const values = Array.from({ length: 30 }, (_, n) => ({ n, ...(n === 4 ? { hang } : {}), ...(n === 9 ? { hang, always: true } : {}) }));
      const { outputs, failed } = await runAll(engine, values);
      assert.equal(outputs.size + failed.size, 30, 'every message accounted for once');
      assert.deepEqual(outputs.get(4), { n: 4, attempt: 2 }, 'the first try timed out, the retry succeeded');
      assert.deepEqual([...failed.keys()], [9], 'only the message that always hangs failed');
      const error = failed.get(9);
      assert.ok(error instanceof TransformError);
      assert.equal(error.errorCode, 'ERR_TIDEMARK_TIMEOUT');
      // The bystanders, those sharing a worker with a hung message among them,
      // come out of their first try: a timeout is charged to its own message only.
      for (let n = 0; n < 30; n++) if (n !== 4 && n !== 9) assert.deepEqual(outputs.get(n), { n, attempt: 1 }, `message ${n}`);
    });
  }

  test('a worker past its heap limit dies alone; its message is retried and the run goes on', async (t) => {
    const engine = new Engine({
      transport,
      transform: fixture('slow.js'),
      threads: 2,
      concurrency: 4,
      resourceLimits: { maxOldGenerationSizeMb: 24 },
      retry: { attempts: 3, backoff: { initial: 0, max: 0 } },
    });
    t.after(() => engine.close());
    const values = Array.from({ length: 12 }, (_, n) => ({ n, ...(n === 5 ? { hang: 'heap' } : {}) }));
    const { outputs, failed } = await runAll(engine, values);
    assert.equal(failed.size, 0, [...failed.values()].map((e) => e.message).join('; '));
    assert.equal(outputs.size, 12);
    assert.deepEqual(outputs.get(5), { n: 5, attempt: 2 }, 'its second try came out');
    // Over the ring the worker marks the message holding its thread, so the
    // others it held go out again uncharged; piscina cannot say which task
    // killed a worker, so over the task transport they may have failed a try.
    if (transport === 'ring') for (let n = 0; n < 12; n++) if (n !== 5) assert.deepEqual(outputs.get(n), { n, attempt: 1 }, `message ${n}`);
  });
});
