import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import type { MessageTrace } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';

// A message's id names it at the transport, so ids are unique over all of an
// engine's runs (an earlier run's try may come back during the next), and
// they stay small integers: ids were once `run × 2³²` + a counter, so every
// message of a second run had a heap-allocated id that each map lookup,
// ring record and completion paid for (and the overhead benchmark times an
// engine's second run).

/** The ids of a run's messages, as its `ack` events carry them (the state behind a trace has its id). */
async function runIds(engine: Engine, count: number): Promise<number[]> {
  const ids: number[] = [];
  const onAck = (trace: MessageTrace): void => void ids.push((trace as MessageTrace & { readonly id: number }).id);
  engine.on('ack', onAck);
  try {
    let records = 0;
    for await (const record of engine.process(Array.from({ length: count }, (_, i) => ({ value: i })))) {
      assert.equal(record.kind, 'output');
      records++;
    }
    assert.equal(records, count);
  } finally {
    engine.off('ack', onAck);
  }
  return ids;
}

forEachTransport((transport) => {
  test('message ids are unique over an engine\'s runs and stay small integers', async () => {
    await using engine = new Engine({ transport, transform: fixture('identity.js'), threads: 2, concurrency: 8 });
    const all = new Set<number>();
    for (let run = 0; run < 4; run++) {
      const ids = await runIds(engine, 50);
      assert.equal(ids.length, 50, `run ${run}: one ack per message`);
      for (const id of ids) {
        // Below 2^31: an integer V8 keeps unboxed (a Smi).
        assert.ok(Number.isInteger(id) && id >= 0 && id < 2 ** 31, `run ${run}: id ${id} is not a small integer`);
        assert.ok(!all.has(id), `run ${run}: id ${id} was given before`);
        all.add(id);
      }
    }
    assert.equal(all.size, 200);
  });
});
