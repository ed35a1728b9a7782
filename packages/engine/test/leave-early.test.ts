import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import { Gates, fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

const source = (count: number) => Array.from({ length: count }, (_, n) => ({ value: n }));

forEachTransport((transport) => {
  for (const leave of ['break', 'throw', 'return'] as const) {
    for (const chunked of [false, true]) {
      test(`leaving a run early (${leave}${chunked ? ', in chunks' : ''}) leaves the engine usable, and close() ends`, async () => {
        const engine = new Engine({ transport, transform: fixture('identity.js'), threads: 2, concurrency: 16 });
        const left = new Error('the consumer left');
        for (let run = 0; run < 3; run++) {
          let seen = 0;
          const leaving = async (): Promise<void> => {
            const records = chunked ? engine.processChunks(source(10_000), { size: 4 }) : engine.process(source(10_000));
            if (leave === 'return') {
              // The consumer takes 10 records by hand and returns the iterator.
              for (let n = 0; n < 10; n++) if ((await records.next()).done !== true) seen++;
              await records.return();
              return;
            }
            for await (const _ of records) {
              if (++seen < 10) continue;
              if (leave === 'break') break;
              throw left;
            }
          };
          await within(
            leaving().catch((error: unknown) => assert.equal(error, left)),
            `run ${run} to be left`,
          );
          assert.equal(seen, 10);
        }
        // The next run is whole: every offset once.
        const offsets: number[] = [];
        await within(
          (async () => {
            for await (const record of engine.process(source(2_000))) offsets.push(record.offset);
          })(),
          'a whole run after the early exits',
        );
        assert.deepEqual(offsets.sort((a, b) => a - b), Array.from({ length: 2_000 }, (_, n) => n));
        await within(engine.close(), 'close()');
      });
    }
  }
});

forEachTransport((transport) => {
  test('leaving a run while messages back off cancels their retries: nothing of it runs again or holds the process', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const gates = new Gates(4);
    for (let index = 0; index < 4; index++) gates.open(index);
    const engine = new Engine({
      transport,
      transform: fixture('gated.js'),
      threads: 2,
      concurrency: 4,
      retry: { attempts: 5, backoff: { initial: 3_600_000, max: 3_600_000 } },
    });
    const source = [gates.message(0), gates.message(1, { failUntil: 5 }), gates.message(2, { failUntil: 5 }), gates.message(3, { failUntil: 5 })];
    for await (const record of engine.process(source)) {
      assert.equal(record.kind, 'output');
      // Messages 1 to 3 failed their first try and wait an hour to go again.
      await until(() => engine.traces().filter((trace) => trace.stage === 'retrying').length === 3, 'three messages backing off', () => engine.traces());
      break;
    }
    await within(engine.close(), 'close()');
    assert.deepEqual([1, 2, 3].map((index) => gates.tries(index)), [1, 1, 1]);
    assert.equal(timers(), before, 'no backoff timer of the abandoned run is left');
  });
});

forEachTransport((transport) => {
  test('close() right after leaving a run whose message is killing its worker does not wait out piscina’s close timeout', async (t) => {
    const engine = new Engine({ transport, transform: fixture('crash.js'), threads: 2, concurrency: 4, retry: { attempts: 1 } });
    t.after(() => engine.close());
    // Whichever record comes first (the output of 0, or 1's failed record), the consumer leaves.
    let taken = 0;
    for await (const _ of engine.process([{ value: { n: 0 } }, { value: { n: 1, crash: 'exit' } }])) {
      taken++;
      break;
    }
    assert.equal(taken, 1);
    // piscina's own close() waits its whole 30 s timeout when a worker dies with a task as it closes.
    await within(engine.close(), 'close()', 10_000);
  });
});
