import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { test } from 'node:test';
import { connectEngine, EngineClosedError, exposeEngine, spawnEngine } from '../src/embed/index.js';
import type { RemoteEngine } from '../src/embed/index.js';
import { until, within } from './helpers/wait.js';

// The "await engine.close(); // also Symbol.asyncDispose" for the
// remote engine: `await using` (lowered by tsx and tsc, as close-abort.test.ts
// does for the in-process Engine) closes it when its block is left, here by a
// throw in the middle of a run, as a failing host leaves it.

const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);

/** OS threads of this process: every worker thread is one. */
function threads(): number {
  const line = /^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(line?.[1]);
}

/** An endless source of `{ value: n }`. */
function* endless(): Generator<{ value: number }> {
  for (let n = 0; ; n++) yield { value: n };
}

/** Runs `engine` on an endless source and throws after 100 records: the block that holds it is left mid-run. */
async function throwMidRun(engine: RemoteEngine): Promise<void> {
  let taken = 0;
  for await (const record of engine.process(endless())) {
    assert.equal(record.kind, 'output');
    if (++taken === 100) throw new Error('the host fails mid-run');
  }
}

test('spawnEngine: `await using` closes the remote engine when its block is left mid-run: no run after, its thread and workers end', async () => {
  const baseThreads = threads();
  let outer: RemoteEngine | undefined;
  await assert.rejects(
    within(
      (async () => {
        await using engine = await spawnEngine({ transform: fixture('double.js'), threads: 2, concurrency: 8 });
        outer = engine;
        assert.ok(threads() > baseThreads, 'the engine thread and its workers run');
        await throwMidRun(engine);
      })(),
      'the block to be left and the engine disposed',
    ),
    /the host fails mid-run/,
  );
  assert.ok(outer !== undefined);
  const engine = outer;
  assert.throws(() => engine.process([{ value: 1 }]), EngineClosedError, 'disposed: no run after');
  // spawnEngine's close() resolves once the engine thread has exited, and disposing awaited it.
  await until(() => threads() <= baseThreads, 'every thread of the disposed engine to end', () => ({ threads: threads(), baseThreads }));
});

test('connectEngine: `await using` closes the remote engine when its block is left mid-run: the far side closes, no listener is left', async () => {
  const { port1, port2 } = new MessageChannel();
  const exposed = exposeEngine(port2);
  let outer: RemoteEngine | undefined;
  await assert.rejects(
    within(
      (async () => {
        await using engine = await connectEngine(port1, { transform: fixture('double.js'), threads: 1, concurrency: 8 });
        outer = engine;
        await throwMidRun(engine);
      })(),
      'the block to be left and the engine disposed',
    ),
    /the host fails mid-run/,
  );
  assert.ok(outer !== undefined);
  const engine = outer;
  assert.throws(() => engine.process([{ value: 1 }]), EngineClosedError, 'disposed: no run after');
  // Disposing released the connection: the far side sees it close and keeps nothing.
  await within(exposed.closed, 'the far side to close');
  assert.equal(exposed.engines, 0);
  assert.equal(exposed.runs, 0);
  assert.equal(exposed.listeners, 0, 'no comlink listener is left on the far side');
});
