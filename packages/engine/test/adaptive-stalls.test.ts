import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import type { ConcurrencyChange } from '../src/index.js';
import { Gates, fixture } from './helpers/gates.js';
import { within } from './helpers/wait.js';

// What users ran into with `concurrency: { min, max }`: a byte limit on the
// input buffer (full whenever the source outpaces the workers) pinned the
// target at min, and one message that never settles stopped the run at
// the first probe (it held the only slot, so the probe never got a sample).

test('an input buffer full by its byte limit is not memory pressure: the target grows, every message comes out', async () => {
  const engine = new Engine({
    transform: fixture('await-ms.js'),
    threads: 2,
    concurrency: { min: 1, max: 32, window: 20 },
    buffers: { input: { bytes: 16 * 1024, messages: 1000 } },
  });
  const changes: ConcurrencyChange[] = [];
  engine.on('concurrency', (change) => changes.push(change));
  const pad = 'x'.repeat(2000);
  async function* source() {
    for (let i = 0; i < 3000; i++) yield { value: { ms: 2, i, pad } };
  }
  try {
    let outputs = 0;
    for await (const record of engine.process(source())) if (record.kind === 'output') outputs++;
    assert.equal(outputs, 3000);
    assert.deepEqual(changes.filter((c) => c.reason === 'memory'), [], 'no back-off for memory');
    assert.ok(changes.some((c) => c.reason === 'grow' && c.to > 2), `it grew: ${changes.map((c) => `${c.reason} ${c.to}`).join(', ')}`);
  } finally {
    await engine.close();
  }
});

test('a message that never settles does not stop the run: a probe without samples ends at its deadline', async () => {
  const count = 600;
  const gates = new Gates(count);
  for (let i = 1; i < count; i++) gates.open(i); // message 0 hangs until the end
  const engine = new Engine({ transform: fixture('gated.js'), threads: 1, concurrency: { min: 1, max: 16, window: 20, probeInterval: 100 } });
  const changes: ConcurrencyChange[] = [];
  engine.on('concurrency', (change) => changes.push(change));
  try {
    const records = engine.process(Array.from({ length: count }, (_, i) => gates.message(i)));
    const seen = new Set<number>();
    while (seen.size < count - 1) {
      const next = await within(records.next(), `record ${seen.size + 1} of the ${count - 1} that do not hang (changes: ${changes.map((c) => `${c.reason} ${c.to}`).join(', ')})`);
      assert.equal(next.done, false);
      if (next.value.kind === 'output') seen.add(next.value.value as number);
    }
    assert.ok(!seen.has(0));
    assert.ok(changes.filter((c) => c.reason === 'probe').length >= 1, 'it probed while message 0 held a slot');
    gates.open(0);
    const last = await within(records.next(), 'the last record');
    assert.equal(last.done === false && last.value.kind === 'output' && last.value.value, 0);
    assert.equal((await within(records.next(), 'the end')).done, true);
  } finally {
    await engine.close();
  }
});
