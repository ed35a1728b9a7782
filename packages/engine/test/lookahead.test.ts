import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Gates, gatedEngine } from './helpers/gates.js';
import { transports } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';
import type { EngineRecord } from '../src/index.js';

// `lookahead`: over the ring transport each worker holds one message beyond
// its share, waiting in its ring; still at most `concurrency` run at once.
// The gated transform is async, so a worker would run every message it holds.

for (const transport of transports) {
  test(`lookahead over ${transport}: ${transport === 'ring' ? 'one more message waits at each worker' : 'nothing changes (piscina starts what it sends)'}, and never more than concurrency run`, async (t) => {
    const gates = new Gates(8);
    const engine = gatedEngine(t, transport, gates, { threads: 2, concurrency: 2, lookahead: true });
    const records = engine.process(Array.from({ length: 8 }, (_, i) => gates.message(i)));
    const taken: EngineRecord[] = [];
    const consumer = (async () => {
      for await (const record of records) taken.push(record);
    })();
    await gates.started(2);
    const atWorkers = transport === 'ring' ? 4 : 2;
    await until(() => engine.processing === atWorkers, `${atWorkers} messages at the workers`, () => engine.processing);
    assert.equal(gates.startedCount, 2, 'only the target runs: the lookahead ones wait');
    assert.equal(engine.buffers.processing.capacity, atWorkers);
    // Open a running message's gate at a time until all are done: never
    // more than the target run, and something always runs (a message waiting
    // at a worker starts when that worker's running one ends; near the end of
    // the input it may wait there while the other worker idles).
    while (taken.length < 8) {
      const running = [...Array(8).keys()].filter((i) => gates.tries(i) > 0 && !gates.isOpen(i));
      assert.ok(running.length <= 2, `at most 2 run at once, got ${running.length}`);
      assert.ok(running.length > 0, `something runs while ${8 - taken.length} are not done`);
      const next = running[0] as number;
      gates.open(next);
      await until(() => taken.some((record) => record.offset === next), `message ${next} handed over`);
      await until(
        () => taken.length === 8 || [...Array(8).keys()].some((i) => gates.tries(i) > 0 && !gates.isOpen(i)),
        'the next message to start',
      );
    }
    await within(consumer, 'the run to end');
    assert.deepEqual(taken.map((r) => r.offset).sort((a, b) => a - b), [...Array(8).keys()]);
  });
}
