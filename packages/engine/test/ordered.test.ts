import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Engine } from '../src/index.js';
import { Gates, fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

forEachTransport((transport) => {
  test('ordered mode emits in read order whatever the completion order', async (t) => {
    const concurrency = 6;
    const engine = new Engine({ transport, transform: fixture('gated.js'), threads: 2, concurrency, ordering: 'ordered' });
    t.after(() => engine.close());
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 14 }).chain((n) =>
          fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n })),
        ),
        async ([n, order]) => {
          const gates = new Gates(n);
          const rank = new Map(order.map((index, position) => [index, position]));
          const offsets: number[] = [];
          const consumed = (async () => {
            for await (const record of engine.process(Array.from({ length: n }, (_, i) => gates.message(i)))) offsets.push(record.offset);
          })();
          // While the run is in flight: wait until every slot the engine can
          // fill is taken, then let the running message that comes first in
          // `order` complete. Messages thus complete in the shuffled order, as
          // far as the in-flight target lets them be running at once.
          const completed: number[] = [];
          for (let opened = 0; opened < n; opened++) {
            const running = Math.min(n, opened + concurrency);
            await until(() => gates.startedCount >= running, `${running} messages started`, () => ({ completed, offsets }));
            let next = -1;
            for (let i = 0; i < n; i++) {
              if (gates.tries(i) > 0 && !gates.isOpen(i) && (next === -1 || (rank.get(i) as number) < (rank.get(next) as number))) next = i;
            }
            assert.notEqual(next, -1, 'a started message is waiting for its gate');
            gates.open(next);
            completed.push(next);
          }
          await within(consumed, `the run to end after completing ${completed.join(', ')}`);
          assert.deepEqual(offsets, [...Array(n).keys()], `completed in the order ${completed.join(', ')}`);
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
});
