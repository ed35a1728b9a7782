import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { Engine } from '../src/index.js';
import type { EngineRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { within } from './helpers/wait.js';

/** Resolves once the engine counted a worker death. */
async function aDeath(registry: Registry): Promise<void> {
  for (;;) {
    const metric = await registry.getSingleMetric('tidemark_worker_restarts_total')?.get();
    if ((metric?.values[0]?.value ?? 0) >= 1) return;
    await nextTurn();
  }
}

const shown = (record: EngineRecord): unknown => (record.kind === 'output' ? record.value : record.error.message);

forEachTransport((transport) => {
  test('a timer that throws after its transform returned kills only its worker, never the host', async (t) => {
    const registry = new Registry();
    const engine = new Engine({ transport, transform: fixture('throw-later.js'), threads: 1, concurrency: 1, metrics: { registry } });
    t.after(() => engine.close());
    // One message on one worker: when its timer throws the worker holds no
    // task, and piscina reports the death as an 'error' event of the pool.
    const first: unknown[] = [];
    for await (const record of engine.process([{ value: { throwLater: true } }])) first.push(shown(record));
    assert.deepEqual(first, [{ throwLater: true }]);
    await within(aDeath(registry), 'the worker death to be counted');
    // The engine goes on, on the replacement worker.
    const second: unknown[] = [];
    for await (const record of engine.process(Array.from({ length: 20 }, (_, n) => ({ value: n })))) second.push(shown(record));
    assert.deepEqual(second, Array.from({ length: 20 }, (_, n) => n));
  });
});
