import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import type { FailedRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';

forEachTransport((transport) => {
  for (const kind of ['exit', 'throw'] as const) {
    test(`a worker killed mid-message (${kind}) loses nothing: its messages are retried on the others`, async (t) => {
      const engine = new Engine({
        transport,
        transform: fixture('crash.js'),
        threads: 2,
        concurrency: 8,
        retry: { attempts: 3, backoff: { initial: 0, max: 0 } },
      });
      t.after(() => engine.close());
      const source = Array.from({ length: 60 }, (_, n) => ({ value: { n, ...(n % 20 === 7 ? { crash: kind } : {}) } }));
      const seen = new Map<number, number>();
      for await (const record of engine.process(source)) {
        assert.equal(record.kind, 'output', record.kind === 'failed' ? record.error.message : '');
        if (record.kind === 'output') seen.set(record.offset, record.value as number);
      }
      assert.equal(seen.size, 60, 'every message came out');
      for (const [offset, value] of seen) assert.equal(value, offset);
      // Three deaths. An exit in the transform's sync part is that message's
      // alone over the ring (the worker marks it); a throw from an async
      // continuation, or any death over the task transport, charges every
      // message its worker had started: up to the 4 each worker holds.
      const retried = engine.stats?.retried ?? 0;
      if (transport === 'ring' && kind === 'exit') assert.equal(retried, 3, 'one retry per crashing message');
      else assert.ok(retried >= 3 && retried <= 12, `3 deaths charge 3 to 12 tries, got ${retried}`);
    });
  }

  test('a message that kills its worker on its only try becomes a failed record, and the run goes on', async (t) => {
    // One message per thread (tasksPerThread 1), so the dying worker holds
    // only the message that kills it, over either transport.
    const engine = new Engine({
      transport,
      transform: fixture('crash.js'),
      threads: 2,
      concurrency: 2,
      retry: { attempts: 1 },
    });
    t.after(() => engine.close());
    const source = Array.from({ length: 10 }, (_, n) => ({ value: { n, ...(n === 3 ? { crash: 'exit' } : {}) } }));
    const failed = new Map<number, FailedRecord>();
    const outputs = new Map<number, unknown>();
    for await (const record of engine.process(source)) {
      if (record.kind === 'failed') failed.set(record.offset, record);
      else outputs.set(record.offset, record.value);
    }
    assert.deepEqual([...failed.keys()], [3], 'only the message that kills its worker fails');
    const record = failed.get(3) as FailedRecord;
    assert.equal(record.attempts, 1);
    assert.match(record.error.message, /exited with code: 3/);
    assert.deepEqual(
      [...outputs].sort(([a], [b]) => a - b),
      [0, 1, 2, 4, 5, 6, 7, 8, 9].map((n) => [n, n]),
      'every other message came out with its own value',
    );
    assert.equal(engine.stats?.retried, 0);
  });
});
