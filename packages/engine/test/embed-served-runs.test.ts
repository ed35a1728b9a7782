import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setImmediate } from 'node:timers/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { connectEngine, exposeEngine } from '../src/embed/index.js';
import { ServedEngines } from '../src/embed/engine-server.js';
import { toItemColumns } from '../src/embed/item-columns.js';
import { ModuleNames } from '../src/embed/module-names.js';
import type { Reply, RunRequest } from '../src/embed/protocol.js';
import { Engine } from '../src/engine.js';
import { deferred } from './helpers/deferred.js';
import { until, within } from './helpers/wait.js';

// How a far-side run starts, is fed and ends, called as a host calls it (the
// served methods of one connection), where a refused or raced call used to
// leave something behind: a file open, listeners on the engine, a feed never
// answered, a drain() that never resolves, a run that outlives a drain.

const scratch = mkdtempSync(path.join(tmpdir(), 'tidemark-served-runs-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const served = path.join(scratch, 'served');
mkdirSync(served);
const lines = path.join(served, 'lines.ndjson');
writeFileSync(path.join(served, 'double.mjs'), 'export default (value) => value * 2;\n');
writeFileSync(lines, '{"value":1}\n{"value":2}\n{"value":3}\n');
// A far-side source module that loads only once the test lets it (its top-level await).
writeFileSync(
  path.join(served, 'gated.mjs'),
  'globalThis.tidemarkGated.reached();\nawait globalThis.tidemarkGated.open;\nexport default [{ value: 1 }];\n',
);

const host: RunRequest = { source: { host: true }, credit: 10, acks: false, chunked: false };

/** What `reply` answers; fails with its error when it has one. */
function okOf<T>(reply: Reply<T>): T {
  if (reply.error !== undefined) assert.fail(`the call failed: ${reply.error.name}: ${reply.error.message}`);
  return reply.ok;
}

async function open(engines: ServedEngines): Promise<number> {
  const reply = await engines.create({ transform: 'double.mjs', threads: 1 });
  return okOf(reply).id;
}

/** Take until the run is over; the records' values. */
async function takeAll(engines: ServedEngines, run: number): Promise<unknown[]> {
  const values: unknown[] = [];
  for (;;) {
    const reply = await within(engines.take(run, false), 'a take to be answered');
    const result = okOf(reply);
    assert.equal(result.error, undefined, JSON.stringify(result.error));
    values.push(...result.records.values);
    if (result.done) return values;
  }
}

/** This process's open files that are `file`. */
function opened(file: string): number {
  const real = realpathSync(file);
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === real) count++;
    } catch {
      // closed as it was listed (the listing's own)
    }
  }
  return count;
}

/**
 * Once every file a refused start may have opened is open: a stream opens its
 * file on a later tick (after this turn's microtasks, where refused starts
 * may all have run), then waits for the open to come back.
 */
async function fsSettled(): Promise<void> {
  await setImmediate();
  await until(() => !process.getActiveResourcesInfo().includes('FSReqCallback'), 'the fs calls in flight to end');
}

test('a far NDJSON source refused for its `from` opens no file, and the error names source.from', async () => {
  const engines = new ServedEngines(new ModuleNames(served));
  try {
    const id = await open(engines);
    for (let i = 0; i < 50; i++) {
      const reply = await engines.start(id, { source: { ndjson: 'lines.ndjson', from: -1 }, credit: 10, acks: false, chunked: false });
      assert.equal(reply.error?.name, 'InvalidOptionError');
      assert.equal(reply.error?.fields.option, 'source.from');
    }
    await fsSettled();
    assert.equal(opened(lines), 0, 'a refused start left its NDJSON file open');
    // The engine still runs, from a valid `from`.
    const run = await engines.start(id, { source: { ndjson: 'lines.ndjson', from: 1 }, credit: 10, acks: false, chunked: false });
    assert.deepEqual((await takeAll(engines, okOf(run).run)).sort(), [4, 6]);
  } finally {
    await engines.disconnect();
  }
});

test('a start refused because the engine is busy leaves no listener on the engine and no file open', async (t) => {
  const engines = new ServedEngines(new ModuleNames(served));
  // The served engine is private to the connection: it is the one a run listens on.
  const on = t.mock.method(Engine.prototype, 'on');
  try {
    const id = await open(engines);
    const first = await engines.start(id, host);
    assert.equal(first.error, undefined, JSON.stringify(first.error));
    const engine = on.mock.calls[0]?.this as Engine | undefined;
    assert.ok(engine !== undefined, 'the run put no listener on its engine');
    const listeners = engine.listenerCount('watermark') + engine.listenerCount('ack');
    for (let i = 0; i < 5; i++) {
      const busy = await engines.start(id, i % 2 === 0 ? host : { ...host, source: { ndjson: 'lines.ndjson' } });
      assert.equal(busy.error?.name, 'EngineBusyError');
    }
    assert.equal(engine.listenerCount('watermark') + engine.listenerCount('ack'), listeners, 'refused starts left listeners on the engine');
    await fsSettled();
    assert.equal(opened(lines), 0, 'a refused start left its NDJSON file open');
  } finally {
    await engines.disconnect();
  }
});

test('a feed while another waits for room is refused; the waiting one is still answered', async () => {
  const engines = new ServedEngines(new ModuleNames(served));
  try {
    const id = await open(engines);
    const started = await engines.start(id, host);
    const { run, window } = okOf(started);
    const items = (from: number) => toItemColumns(Array.from({ length: window }, (_, i) => ({ value: from + i })));
    // Nothing is read before the first take: a full window waits for room.
    let answered = false;
    const first = engines.feed(run, items(0)).then((reply) => {
      answered = true;
      return reply;
    });
    const second = await within(engines.feed(run, items(window)), 'the second feed to be answered');
    assert.equal(answered, false, 'the first feed should still wait for room');
    assert.match(String(second.error?.message), /already waiting for room/);
    // The engine reads what the first feed brought: it is answered.
    const taking = engines.take(run, false);
    assert.equal((await within(first, 'the first feed to be answered')).error, undefined);
    const firstTake = okOf(await within(taking, 'the first take'));
    assert.equal((await within(engines.feed(run, toItemColumns([]), {}), 'the feed ending the source')).error, undefined);
    const rest = await takeAll(engines, run);
    const values = [...(firstTake.records.values), ...rest] as number[];
    // Only the first feed's items were read; the refused one's were not taken.
    assert.deepEqual(values.sort((a, b) => a - b), Array.from({ length: window }, (_, i) => i * 2));
  } finally {
    await engines.disconnect();
  }
});

test('drain() while start() loads a far-side module: the start is refused, no run outlives the drain', async () => {
  const engines = new ServedEngines(new ModuleNames(served));
  const reached = deferred();
  const gate = deferred();
  (globalThis as { tidemarkGated?: unknown }).tidemarkGated = { reached: reached.resolve, open: gate.promise };
  try {
    const id = await open(engines);
    const starting = engines.start(id, { source: { module: 'gated.mjs' }, credit: 10, acks: false, chunked: false });
    await within(reached.promise, 'the module to start loading');
    await within(engines.drain(), 'drain() with no run yet');
    gate.resolve();
    const reply = await within(starting, 'the start to be answered');
    assert.ok(reply.error !== undefined, 'a run started after drain() began');
    assert.match(reply.error.message, /closing/);
    assert.equal(engines.runs, 0);
  } finally {
    gate.resolve();
    await engines.disconnect();
  }
});

test('drain() called twice while a run is active: both resolve once the host has taken the run', async () => {
  const { port1, port2 } = new MessageChannel();
  const exposed = exposeEngine(port2);
  const engine = await connectEngine(port1, { transform: new URL('./fixtures/double.js', import.meta.url), threads: 1 });
  const gate = deferred();
  async function* source(): AsyncGenerator<{ value: number }> {
    for (let i = 0; i < 10; i++) yield { value: i };
    await gate.promise; // the run stays open until drain() stops its reading
  }
  const records = engine.process(source());
  try {
    await within(records.next(), 'the first record');
    const consuming = (async () => {
      let count = 1;
      for (;;) {
        const next = await records.next();
        if (next.done === true) return count;
        count++;
      }
    })();
    const first = exposed.drain();
    const second = exposed.drain();
    await within(second, 'the second drain()');
    await within(first, 'the first drain()');
    assert.equal(await within(consuming, 'the host run to end'), 10);
    assert.equal(exposed.runs, 0);
  } finally {
    gate.resolve();
    await engine.close();
    await exposed.close();
  }
});
