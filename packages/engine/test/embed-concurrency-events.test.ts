import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { test } from 'node:test';
import { connectEngine, exposeEngine } from '../src/embed/index.js';
import type { ConcurrencyChange } from '../src/index.js';
import { fixture } from './helpers/gates.js';

// A remote engine with `concurrency: { min, max }`: the far controller's
// changes arrive as the host engine's `concurrency` events, in order, and
// its `concurrency` getter follows them.

test('a remote engine forwards the far controller\'s concurrency events, the first run\'s probe first', async () => {
  const { port1, port2 } = new MessageChannel();
  const exposed = exposeEngine(port2);
  const engine = await connectEngine(port1, { transform: fixture('await-ms.js'), threads: 1, concurrency: { min: 1, max: 8, initial: 4, window: 20 } });
  const changes: ConcurrencyChange[] = [];
  engine.on('concurrency', (change) => changes.push(change));
  try {
    let outputs = 0;
    for await (const record of engine.process(Array.from({ length: 300 }, (_, i) => ({ value: { ms: 1, i } })))) {
      assert.equal(record.kind, 'output');
      outputs++;
    }
    assert.equal(outputs, 300);
    assert.deepEqual(
      changes.slice(0, 2).map((c) => [c.reason, c.from, c.to]),
      [
        ['probe', 4, 1],
        ['probed', 1, 4],
      ],
    );
    assert.ok((changes[1]?.noLoadLatency ?? 0) >= 1, 'the no-load latency crossed with the change');
    for (let i = 1; i < changes.length; i++) assert.equal(changes[i]?.from, changes[i - 1]?.to, 'in order, none lost');
    await engine.status();
    assert.equal(engine.concurrency, changes.at(-1)?.to, 'the getter is the far target');
  } finally {
    await engine.close();
    await exposed.close();
  }
});
