import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import { fixture, transport } from './helpers/gates.js';

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
    assert.ok((engine.stats?.retried ?? 0) >= 3, 'the crashing messages were retried');
  });
}

test('a message that kills its worker on every try becomes a failed record, and the run goes on', async (t) => {
  const engine = new Engine({
    transport,
    transform: fixture('crash.js'),
    threads: 2,
    concurrency: 4,
    retry: { attempts: 1 },
  });
  t.after(() => engine.close());
  const source = Array.from({ length: 10 }, (_, n) => ({ value: { n, ...(n === 3 ? { crash: 'exit' } : {}) } }));
  const failed: number[] = [];
  let outputs = 0;
  for await (const record of engine.process(source)) {
    if (record.kind === 'failed') failed.push(record.offset);
    else outputs++;
  }
  // Offset 3 failed; a message that had started on the same worker may have failed with it.
  assert.ok(failed.includes(3));
  assert.equal(outputs + failed.length, 10, 'each message accounted for once');
});
