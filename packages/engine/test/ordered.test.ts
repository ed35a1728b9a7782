import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Engine } from '../src/index.js';
import { Gates, fixture, transport } from './helpers/gates.js';

test('ordered mode emits in read order whatever the completion order', async (t) => {
  const engine = new Engine({ transport, transform: fixture('gated.js'), threads: 2, concurrency: 6, ordering: 'ordered' });
  t.after(() => engine.close());
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 14 }).chain((n) =>
        fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n })),
      ),
      async ([n, order]) => {
        const gates = new Gates(n);
        // Every gate opens in the chosen order once its message has started;
        // with 6 in flight and up to 14 messages, later ones start as earlier ones leave.
        for (const index of order) gates.open(index);
        const offsets: number[] = [];
        for await (const record of engine.process(Array.from({ length: n }, (_, i) => gates.message(i)))) {
          offsets.push(record.offset);
        }
        assert.deepEqual(offsets, [...Array(n).keys()]);
      },
    ),
    { numRuns: 25 },
  );
});

test('ordered mode holds a completed message until every earlier one has left', async (t) => {
  const engine = new Engine({ transport, transform: fixture('gated.js'), threads: 2, concurrency: 4, ordering: 'ordered' });
  t.after(() => engine.close());
  const gates = new Gates(4);
  const records = engine.process(Array.from({ length: 4 }, (_, i) => gates.message(i)));
  const first = records.next();
  await gates.started(4);
  gates.open(3);
  gates.open(2);
  gates.open(1);
  // Messages 1-3 are done, but 0 still holds them back; opening 0 lets all four out in order.
  gates.open(0);
  assert.equal((await first).value?.offset, 0);
  const rest: number[] = [];
  for await (const record of records) rest.push(record.offset);
  assert.deepEqual(rest, [1, 2, 3]);
});
