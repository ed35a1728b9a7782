import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { resolveOptions } from '../src/options/resolve-options.js';
import { RingTransport } from '../src/transport/ring-transport.js';
import { TaskTransport } from '../src/transport/task-transport.js';
import type { Completion, Transport } from '../src/transport/transport.js';
import { deferred } from './helpers/deferred.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import type { TestTransport } from './helpers/transports.js';
import { WAIT_LIMIT_MS, within } from './helpers/wait.js';

// Transport.utilization(): the workers' event-loop utilisation since the
// last call. Bounds only, never exact figures: a worker spinning in sync
// code never idles its loop, whatever share of a core it gets, and an idle
// worker's loop idles however loaded the machine (a ring worker's sync wait
// for input taken out: without that, an idle ring worker reads 1). The main
// thread lets time pass in Atomics.wait on a buffer of its own: time to
// measure over, not a check.

const threads = 2;
/** ms the workers are watched for. */
const watch = 300;

/** The transport over utilization-spin.js, one message per worker, with the test's gate and what it completes. */
async function started(t: TestContext, kind: TestTransport, workers = threads) {
  const transform = fixture('utilization-spin.js');
  const options = resolveOptions({ transport: kind, transform, threads: workers, concurrency: workers, tasksPerThread: 1 });
  const transport: Transport = kind === 'ring' ? new RingTransport(options) : new TaskTransport(options);
  const gate = new SharedArrayBuffer(8);
  const view = new Int32Array(gate);
  const completions: Completion[] = [];
  let awaited = { count: 0, done: deferred() };
  t.after(() => {
    Atomics.store(view, 0, 1); // let every spin end, even after a failure, so that close() ends
    return within(transport.close(), 'the transport to close');
  });
  await within(
    transport.start((completion) => {
      completions.push({ ...completion }); // one object, filled again per completion
      if (completions.length >= awaited.count) awaited.done.resolve();
    }),
    'the workers to start',
  );
  let id = 0;
  return {
    transport,
    completions,
    /** Send `input` (with the gate) as a new message. */
    send(input: Record<string, unknown>): void {
      transport.send({ id: id, input: { gate, n: id, ...input }, offset: id, key: undefined, eventTime: 0, attempts: 1 });
      id++;
    },
    /** Resolves once `count` spins have started. */
    async spinning(count: number): Promise<void> {
      const deadline = performance.now() + WAIT_LIMIT_MS;
      for (let seen = Atomics.load(view, 1); seen < count; seen = Atomics.load(view, 1)) {
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`still waiting after ${WAIT_LIMIT_MS} ms for ${count} spins to start; ${seen} have`);
        const wait = Atomics.waitAsync(view, 1, seen, left);
        if (wait.async) await wait.value;
      }
    },
    /** End the spins. */
    release(): void {
      Atomics.store(view, 0, 1);
    },
    /** Resolves once `count` messages have completed in all. */
    completed(count: number): Promise<void> {
      awaited = { count, done: deferred() };
      if (completions.length >= count) awaited.done.resolve();
      return within(awaited.done.promise, `${count} completions (${completions.length} came)`);
    },
  };
}

/** Block this thread for `ms`: the workers run on. */
function letTimePass(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Asserts that `value` is a utilisation and returns it. */
function share(value: number | undefined): number {
  assert.equal(typeof value, 'number', 'a utilisation is measured on Node');
  assert.ok((value as number) >= 0 && (value as number) <= 1, `a utilisation from 0 to 1, got ${String(value)}`);
  return value as number;
}

forEachTransport((kind) => {
  test('workers with nothing to do read as idle', async (t) => {
    const { transport } = await started(t, kind);
    assert.equal(transport.utilization(), undefined, 'the first call starts the count');
    letTimePass(watch);
    const idle = share(transport.utilization());
    assert.ok(idle < 0.5, `idle workers read ${idle}`);
  });

  test('workers spinning in sync code read as busy', async (t) => {
    const run = await started(t, kind);
    for (let i = 0; i < threads; i++) run.send({});
    await run.spinning(threads);
    run.transport.utilization(); // from now on: every worker spins throughout
    letTimePass(watch);
    const busy = share(run.transport.utilization());
    assert.ok(busy > 0.5, `spinning workers read ${busy}`);
    run.release();
    await run.completed(threads);
    assert.deepEqual(
      run.completions.filter((c) => c.error !== undefined),
      [],
    );
  });

  test('a replaced worker is measured from the first call that sees it', async (t) => {
    const run = await started(t, kind, 1);
    run.transport.utilization();
    run.send({ exit: true });
    await run.completed(1);
    assert.match(run.completions[0]?.error?.message ?? '', /exit/iu, 'the worker died');
    assert.equal(run.transport.utilization(), undefined, 'no worker had been seen before: the replacement counts from now on');
    run.send({});
    await run.spinning(1);
    assert.equal(run.transport.restarts, 1);
    run.transport.utilization();
    letTimePass(watch);
    const busy = share(run.transport.utilization());
    assert.ok(busy > 0.5, `a spinning replacement read ${busy}`);
    run.release();
    await run.completed(2);
  });
});
