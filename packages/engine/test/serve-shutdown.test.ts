import { availableParallelism } from 'node:os';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { EngineDisconnectedError } from '../src/client/index.js';
import type { EngineRecord } from '../src/client/index.js';
import { requireBuiltCli, tempDir } from './helpers/cli.js';
import { deferred } from './helpers/deferred.js';
import { checkRecord, collect, connect, range, rejection, skewed, transform } from './helpers/serve-host.js';
import { ServeSession } from './helpers/serve-session.js';
import { WAIT_LIMIT_MS, within } from './helpers/wait.js';

/** Two worker threads, or as many as the server has cores: it refuses more to a remote host. */
const twoThreads = Math.min(2, availableParallelism());

// SIGINT and SIGTERM to `tidemark serve` with a Node host mid-run. The
// transform is gated through the file system (node-host-skewed.mjs's
// `holdUntil`), and the test acts on what the server printed, never on a clock.
before(requireBuiltCli);

test('SIGTERM mid-run: reading stops, the host receives every record that was in flight and its run ends, then the connection closes and the server exits 143', async (t) => {
  const dir = await tempDir(t);
  const release = join(dir, 'release');
  const serve = await ServeSession.start(t);
  const n = 2000;
  const concurrency = 8;
  // Messages 300..307 wait for `release`: once they hold every slot, nothing after them can start.
  const held = (id: number): boolean => id >= 300 && id < 300 + concurrency;
  const messages = skewed(n, 9).map((message) => (held(message.value.id) ? { ...message, value: { ...message.value, holdUntil: release } } : message));
  const engine = await connect(serve.url, { transform, threads: twoThreads, concurrency });
  const received = new Map<number, EngineRecord<{ id: number; square: number }>>();
  const before300 = deferred();
  const running = (async () => {
    for await (const record of engine.process<{ id: number; square: number }>(messages)) {
      assert.equal(received.has(record.offset), false, `offset ${record.offset} came twice`);
      received.set(record.offset, record);
      if (received.size === 300) before300.resolve();
    }
  })();
  running.catch(() => {}); // awaited below
  try {
    await within(before300.promise, 'the records before the held messages');
    const deadline = performance.now() + WAIT_LIMIT_MS;
    while ((await engine.status()).processing < concurrency) {
      assert.ok(performance.now() < deadline, 'the held messages never filled the slots');
    }
    assert.deepEqual([...received.keys()].sort((a, b) => a - b), range(300), 'everything before the held messages came back');

    serve.signal('SIGTERM');
    await serve.until(() => /^tidemark: SIGTERM: stopped accepting and reading; draining 1 connection with 1 run/m.test(serve.stderr), 'the stopping line');
    // Reading has stopped; now the messages in flight may finish.
    await writeFile(release, '');
    await within(running, 'the host run to end');
  } finally {
    await writeFile(release, '');
  }
  const read = engine.stats?.read ?? 0;
  assert.ok(read >= 300 + concurrency && read < n, `reading stopped: ${read} of ${n} read`);
  assert.deepEqual([...received.keys()].sort((a, b) => a - b), range(read), 'every message read came back, each once');
  assert.equal(engine.committedOffset, read, 'the committed offset is past every message read');
  assert.equal(engine.stats?.acked, read);
  for (const id of range(read)) checkRecord(received.get(id), id);

  assert.deepEqual(await serve.exit(), { code: 143, signal: null });
  assert.match(serve.stderr, /^tidemark: connection 1 closed: tidemark serve is shutting down$/m);
  assert.equal(serve.lines.at(-1), 'tidemark: stopped by SIGTERM');
  const after = await rejection(() => collect(engine.process([{ value: { id: 0, ms: 0, fail: false } }])));
  assert.ok(after instanceof EngineDisconnectedError, String(after));
  await engine.close();
});

test('shutdown: past --shutdown-timeout with a message that never finishes, the connections are closed anyway and it exits 1; a second signal exits at once (130)', async (t) => {
  const dir = await tempDir(t);
  const never = join(dir, 'never'); // never created
  for (const [args, second, code, line] of [
    [['--shutdown-timeout', '200'], undefined, 1, /^tidemark: shutdown timed out after 200 ms: exiting, closing 1 connection as they are \(1 run still draining\)$/m],
    [[], 'SIGINT', 130, /^tidemark: SIGINT again: exiting now, closing 1 connection as they are$/m],
  ] as const) {
    const serve = await ServeSession.start(t, args);
    const engine = await connect(serve.url, { transform, threads: 1, concurrency: 4 });
    const messages = skewed(200, 3).map((message) => (message.value.id === 0 ? { ...message, value: { ...message.value, holdUntil: never } } : message));
    const first = deferred();
    const running = (async () => {
      for await (const record of engine.process(messages)) {
        void record;
        first.resolve();
      }
    })();
    running.catch(() => {});
    await within(first.promise, 'a first record');
    serve.signal('SIGINT');
    await serve.until(() => /^tidemark: SIGINT: stopped accepting and reading; draining 1 connection with 1 run/m.test(serve.stderr), 'the stopping line');
    if (second !== undefined) serve.signal(second);
    assert.deepEqual(await serve.exit(), { code, signal: null }, serve.stderr);
    assert.match(serve.stderr, line);
    const error = await rejection(() => within(running, 'the host run to end'));
    assert.ok(error instanceof EngineDisconnectedError, String(error));
    await engine.close();
  }
});
