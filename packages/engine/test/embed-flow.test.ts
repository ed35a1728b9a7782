import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { test } from 'node:test';
import { connectEngine, exposeEngine, spawnEngine } from '../src/embed/index.js';
import { feedWindow } from '../src/embed/engine-server.js';
import { WAIT_LIMIT_MS, until, within } from './helpers/wait.js';

const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);

/** A host source of `n` messages that counts what was pulled and whether it was returned. */
function countingSource(n: number): { source: Generator<{ value: number }>; pulled: () => number; returned: () => boolean } {
  let pulled = 0;
  let returned = false;
  function* source(): Generator<{ value: number }> {
    try {
      for (let i = 0; i < n; i++) {
        pulled++;
        yield { value: i };
      }
    } finally {
      returned = true;
    }
  }
  return { source: source(), pulled: () => pulled, returned: () => returned };
}

test('a slow host consumer holds the source back: what is read stays within the buffers, the credit and the feed window', async () => {
  const engine = await spawnEngine({ transform: fixture('double.js'), threads: 1, concurrency: 4 });
  try {
    const credit = 8;
    const { input, processing, output } = engine.options.buffers;
    // Host batch + the inbox (a feed waits at the window, plus one batch) + a batch the engine's reader holds + its in-flight bound.
    const window = feedWindow(engine.options.concurrency);
    const bound = window + (2 * window - 1) + window + input.messages + processing.messages + output.messages + 1;
    const n = 20 * bound;
    const { source, pulled } = countingSource(n);
    const records = engine.process(source, { credit });
    const first = await within(records.next(), 'the first record');
    assert.equal(first.done, false);
    // The consumer now holds on: the far engine reads until its in-flight bound (the buffers' sum:
    // what the host holds un-acked counts in flight) and stops.
    const maxInFlight = input.messages + processing.messages + output.messages;
    const deadline = performance.now() + WAIT_LIMIT_MS;
    let status = await engine.status();
    while (status.inFlight < maxInFlight) {
      assert.ok(performance.now() < deadline, `the far engine never reached its in-flight bound: ${JSON.stringify(status)}`);
      status = await engine.status();
    }
    for (let look = 0; look < 50; look++) {
      assert.ok(pulled() <= bound, `read ${pulled()} with the consumer held (bound ${bound})`);
      await engine.status();
    }
    assert.ok(pulled() < n, 'the source was not read to its end');
    let count = 1;
    for await (const record of records) {
      assert.equal(record.kind, 'output');
      count++;
    }
    assert.equal(count, n, 'every message once the consumer goes on');
    assert.equal(pulled(), n);
  } finally {
    await engine.close();
  }
});

test('aborting the host signal stops reading on the far side; what was in flight is still handed over', async () => {
  const engine = await spawnEngine({ transform: fixture('double.js'), threads: 1, concurrency: 8 });
  try {
    const controller = new AbortController();
    const { source, returned } = countingSource(1_000_000);
    const offsets = new Set<number>();
    for await (const record of engine.process(source, { signal: controller.signal, credit: 16 })) {
      assert.equal(offsets.has(record.offset), false);
      offsets.add(record.offset);
      if (offsets.size === 500) controller.abort();
    }
    const status = await engine.status();
    assert.ok(offsets.size >= 500);
    assert.equal(offsets.size, status.stats?.read, 'every message read was handed over');
    assert.equal(status.stats?.acked, status.stats?.read);
    assert.ok((status.stats?.read ?? 0) < 1_000_000, 'reading stopped');
    await until(returned, 'the host source to be returned');
  } finally {
    await engine.close();
  }
});

test('a host that leaves early ends the far run; the engine runs again', async () => {
  const engine = await spawnEngine({ transform: fixture('double.js'), threads: 1 });
  try {
    const { source, returned } = countingSource(100_000);
    let seen = 0;
    for await (const record of engine.process(source)) {
      void record;
      if (++seen === 10) break;
    }
    await until(returned, 'the host source to be returned');
    const values: unknown[] = [];
    for await (const record of engine.process([{ value: 21 }])) if (record.kind === 'output') values.push(record.value);
    assert.deepEqual(values, [42]);
  } finally {
    await engine.close();
  }
});

test('an item that cannot cross becomes a failed record in its place; the others go through', async () => {
  const { port1, port2 } = new MessageChannel();
  const exposed = exposeEngine(port2);
  const engine = await connectEngine(port1, { transform: fixture('double.js'), threads: 1 });
  try {
    const items = [{ value: 1 }, { value: () => 2 }, { value: 3 }];
    const records = [];
    for await (const record of engine.process(items)) records.push(record);
    records.sort((a, b) => a.offset - b.offset);
    assert.deepEqual(
      records.map((r) => [r.offset, r.kind]),
      [
        [0, 'output'],
        [1, 'failed'],
        [2, 'output'],
      ],
    );
    const failed = records[1];
    assert.equal(failed?.kind === 'failed' && failed.error.code, 'ERR_TIDEMARK_INVALID_MESSAGE');
    assert.match(failed?.kind === 'failed' ? failed.error.message : '', /cannot cross/);
  } finally {
    await engine.close();
    await exposed.closed;
  }
});
