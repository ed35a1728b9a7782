import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { Engine } from '../src/index.js';
import type { EngineRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

// A worker that replaces a dead one loads the module again, and that load
// may hang (a top-level await that never settles) or spin. The tokens of
// fixtures/load-hang-once.js decide how many loads do, whichever worker
// takes them; the first workers load before any token exists.
const tokens = mkdtempSync(join(tmpdir(), 'tidemark-hang-tokens-'));
process.env.TIDEMARK_HANG_TOKENS = tokens;

/** Resolves once the engine counted `count` worker restarts. */
async function atLeast(registry: Registry, count: number): Promise<void> {
  for (;;) {
    const restarts = (await registry.getSingleMetric('tidemark_worker_restarts_total')?.get())?.values[0]?.value ?? 0;
    if (restarts >= count) return;
    await nextTurn();
  }
}

forEachTransport((transport) => {
  for (const kind of ['await', 'spin'] as const) {
    test(`a replacement worker whose module load hangs (${kind}) is replaced in its turn; every message comes out once`, async (t) => {
      const registry = new Registry();
      // Over the task transport a message waits at the replacement while the
      // module loads: the board marks it, and `timeout` replaces the worker.
      const engine = new Engine({ transport, transform: fixture('load-hang-once.js'), threads: 2, concurrency: 4, loadTimeout: 1500, timeout: 500, metrics: { registry } });
      t.after(() => within(engine.close(), 'close()'));
      for (const left of readdirSync(tokens)) rmSync(join(tokens, left)); // none, unless a test before failed
      // Loaded by both first workers before the token exists.
      for await (const _ of engine.process([{ value: 'warm' }])) break;
      writeFileSync(join(tokens, `${kind}-${transport}`), '');
      const source = [{ value: { exit: 9 } }, ...Array.from({ length: 40 }, (_, n) => ({ value: n }))];
      const records: EngineRecord[] = [];
      await within(
        (async () => {
          for await (const record of engine.process(source)) records.push(record);
        })(),
        'the run through a hanging replacement',
      );
      assert.deepEqual(records.map((record) => record.offset).sort((a, b) => a - b), source.map((_, offset) => offset), 'every offset once');
      assert.deepEqual(records.filter((record) => record.kind === 'failed'), [], 'no message failed for good');
      // The replacement for the worker that exited took the token and hung
      // loading; it is replaced in its turn (over the task transport once a
      // message it held is past its timeout).
      await until(() => readdirSync(tokens).length === 0, 'a replacement to take the token');
      await within(atLeast(registry, 2), 'the hung replacement to be replaced');
      // Both workers serve again: a run as long again comes out whole.
      const again: number[] = [];
      await within(
        (async () => {
          for await (const record of engine.process(source.slice(1))) again.push(record.offset);
        })(),
        'a run after the replacement',
      );
      assert.equal(again.length, 40);
    });
  }
});

test('ring: close() ends while a replacement worker is still loading the module', async () => {
  const registry = new Registry();
  const engine = new Engine({ transport: 'ring', transform: fixture('load-hang-once.js'), threads: 2, concurrency: 4, metrics: { registry } });
  for await (const _ of engine.process([{ value: 'warm' }])) break;
  writeFileSync(join(tokens, 'spin-close'), '');
  const records: EngineRecord[] = [];
  for await (const record of engine.process([{ value: { exit: 9 } }, { value: 1 }])) records.push(record);
  assert.deepEqual(records.map((record) => record.offset).sort(), [0, 1]);
  // The replacement for the worker that exited took the token and spins while loading.
  await until(() => readdirSync(tokens).length === 0, 'a replacement to take the token');
  await within(engine.close(), 'close() with a replacement spinning in its module');
});
