import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Engine } from '../src/index.js';
import { Gates, fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';

forEachTransport((transport) => {
  test('unordered mode hands each output over as soon as its message completes', async (t) => {
    const engine = new Engine({ transport, transform: fixture('gated.js'), threads: 2, concurrency: 8 });
    t.after(() => engine.close());
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6, 7], { minLength: 8, maxLength: 8 }), async (order) => {
        const gates = new Gates(8);
        const records = engine.process(Array.from({ length: 8 }, (_, i) => gates.message(i)));
        await gates.started(0);
        for (const index of order) {
          gates.open(index);
          const next = await records.next();
          assert.equal(next.done, false);
          assert.equal(next.value?.offset, index);
          assert.equal(next.value?.kind === 'output' && next.value.value, index);
        }
        assert.equal((await records.next()).done, true);
      }),
      { numRuns: 25 },
    );
  });
});
