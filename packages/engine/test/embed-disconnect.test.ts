import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { test } from 'node:test';
import { connectEngine, EngineDisconnectedError, exposeEngine, spawnEngine } from '../src/embed/index.js';
import { until, within } from './helpers/wait.js';

const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);

/** OS threads of this process: every worker thread is one. */
function threads(): number {
  const line = /^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(line?.[1]);
}

/** Takes the records already at hand (they still come out), until a call rejects; fails if none does. */
async function afterRecordsAtHand(records: AsyncIterator<unknown>): Promise<void> {
  for (let taken = 0; taken < 100_000; taken++) await records.next();
  throw new Error('the records never ended');
}

/** Message ports open in this thread (each engine worker holds some). */
function ports(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'MessagePort').length;
}

test('a host that disconnects mid-run gets its run aborted and drained: no worker, port or listener is left', async () => {
  const baseThreads = threads();
  const basePorts = ports();
  const { port1, port2 } = new MessageChannel();
  const exposed = exposeEngine(port2);
  const engine = await connectEngine(port1, { transform: fixture('double.js'), threads: 2, concurrency: 16 });
  let pulled = 0;
  function* endless(): Generator<{ value: number }> {
    for (;;) yield { value: pulled++ };
  }
  const records = engine.process(endless());
  for (let i = 0; i < 200; i++) assert.equal((await within(records.next(), 'a record')).done, false);
  assert.equal(exposed.engines, 1);
  assert.equal(exposed.runs, 1);
  assert.ok(exposed.listeners > 0);
  assert.ok(threads() > baseThreads, 'the engine has worker threads while it runs');

  port1.close(); // the host goes away
  assert.equal(await within(exposed.closed, 'the far side to see the host go'), 'the port closed');
  assert.equal(exposed.engines, 0);
  assert.equal(exposed.runs, 0);
  assert.equal(exposed.listeners, 0, 'no comlink listener is left on the far side');
  await assert.rejects(within(afterRecordsAtHand(records), 'the host to see the far side go'), EngineDisconnectedError);
  await until(() => threads() <= baseThreads, 'the engine worker threads to end', () => ({ threads: threads(), baseThreads }));
  await until(() => ports() <= basePorts, 'the message ports to close', () => ({ ports: ports(), basePorts }));
});

test('close() on the host drains the far engine and leaves nothing behind on either side', async () => {
  const baseThreads = threads();
  const { port1, port2 } = new MessageChannel();
  const exposed = exposeEngine(port2);
  const engine = await connectEngine(port1, { transform: fixture('double.js'), threads: 2 });
  let count = 0;
  for await (const record of engine.process(Array.from({ length: 1000 }, (_, i) => ({ value: i })))) if (record.kind === 'output') count++;
  assert.equal(count, 1000);
  await engine.close();
  await within(exposed.closed, 'the far side to close');
  assert.equal(exposed.engines, 0);
  assert.equal(exposed.listeners, 0);
  await assert.rejects(engine.status(), EngineDisconnectedError);
  await until(() => threads() <= baseThreads, 'the engine worker threads to end', () => ({ threads: threads(), baseThreads }));
});

test('spawnEngine: close() ends the engine thread and its workers', async () => {
  const baseThreads = threads();
  const engine = await spawnEngine({ transform: fixture('double.js'), threads: 2 });
  const values: unknown[] = [];
  for await (const record of engine.process([{ value: 1 }, { value: 2 }])) if (record.kind === 'output') values.push(record.value);
  assert.deepEqual(values.sort(), [2, 4]);
  assert.ok(threads() > baseThreads);
  await engine.close();
  await until(() => threads() <= baseThreads, 'every thread of the spawned engine to end', () => ({ threads: threads(), baseThreads }));
});

test('a far side that goes away makes the host calls reject with EngineDisconnectedError, never hang', async () => {
  const { port1, port2 } = new MessageChannel();
  const exposed = exposeEngine(port2);
  const engine = await connectEngine(port1, { transform: fixture('double.js'), threads: 1 });
  const records = engine.process((function* () {
    for (let i = 0; ; i++) yield { value: i };
  })());
  assert.equal((await records.next()).done, false);
  await exposed.close('the server shut down');
  await assert.rejects(within(afterRecordsAtHand(records), 'the host to see the far side go'), (error: unknown) => {
    assert.ok(error instanceof EngineDisconnectedError, String(error));
    assert.equal(error.code, 'ERR_TIDEMARK_ENGINE_DISCONNECTED');
    return true;
  });
  await engine.close(); // idempotent and quiet once the far side is gone
});
