import { availableParallelism } from 'node:os';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { InvalidOptionError, TransformLoadError, listTransforms, webSocketEndpoint } from '../src/client/index.js';
import type { EngineRecord, SourceRecord } from '../src/client/index.js';
import { cliFixture, requireBuiltCli } from './helpers/cli.js';
import { deferred } from './helpers/deferred.js';
import {
  checkRecord,
  closeOf,
  collect,
  connect,
  eventTimeBase,
  failing,
  maxFrameBytes,
  openSocket,
  range,
  rejection,
  skewed,
  transform,
} from './helpers/serve-host.js';
import type { Skewed } from './helpers/serve-host.js';
import { ServeSession, serveFixtures } from './helpers/serve-session.js';
import { within } from './helpers/wait.js';

/** Two worker threads, or as many as the server has cores: it refuses more to a remote host. */
const twoThreads = Math.min(2, availableParallelism());

// `tidemark serve` (the built CLI, in a child process) driven from a Node
// host (helpers/serve-host.ts): a skewed workload, errors with their class,
// and frames that close only their own connection. Access rules are in
// serve-access.test.ts, signals in serve-shutdown.test.ts.

/** One server for the tests that do not stop it, with a small frame limit. */
let shared: ServeSession;
before(async () => {
  requireBuiltCli();
  shared = await ServeSession.start(undefined, ['--max-frame-bytes', String(maxFrameBytes)]);
});
after(() => shared.kill());

test('a Node host runs a skewed workload on tidemark serve: every message back once with its value, failures with their class, monotonic watermark events', async () => {
  assert.match(shared.stdout.split('\n')[0] ?? '', /^tidemark: serving ws:\/\/127\.0\.0\.1:[1-9]\d*$/, 'the first line names the port bound');
  const n = 2000;
  const engine = await connect(shared.url, { transform, threads: twoThreads, concurrency: 32 });
  const watermarks: number[] = [];
  engine.on('watermark', (watermark) => watermarks.push(watermark));
  let seen;
  try {
    seen = await within(collect(engine.process<{ id: number; square: number }>(skewed(n))), 'the skewed run to end');
    assert.deepEqual([...seen.keys()].sort((a, b) => a - b), range(n), 'one record per message, offsets 0..n-1 each once');
    for (const id of range(n)) checkRecord(seen.get(id), id);
    assert.ok(watermarks.length > 0, 'watermark events came');
    for (let i = 1; i < watermarks.length; i++) assert.ok((watermarks[i] ?? 0) > (watermarks[i - 1] ?? 0), `watermark events rise: ${watermarks.join(', ')}`);
    assert.ok((watermarks.at(-1) ?? 0) <= eventTimeBase + n - 1, 'no watermark is past the last event time');
    assert.deepEqual(
      { read: engine.stats?.read, acked: engine.stats?.acked, failed: engine.stats?.failed, late: engine.stats?.late },
      { read: n, acked: n, failed: range(n).filter(failing).length, late: 0 },
    );
  } finally {
    await engine.close();
  }
  await shared.until(() => /^tidemark: connection \d+ closed: /m.test(shared.stderr), 'the connection closed line');
  assert.match(shared.stderr, /^tidemark: connection (\d+) opened \(from 127\.0\.0\.1:\d+\)$/m);
});

test('errors reach the host with their class, code, option and received: a bad option, a module that throws at load, names outside --transforms', async () => {
  const concurrency = await rejection(() => connect(shared.url, { transform, concurrency: 0 }));
  assert.ok(concurrency instanceof InvalidOptionError, String(concurrency));
  assert.equal(concurrency.code, 'ERR_TIDEMARK_INVALID_OPTION');
  assert.equal(concurrency.option, 'concurrency');
  assert.equal(concurrency.received, 0);

  const loading = await connect(shared.url, { transform: 'node-host-throws-at-load.mjs', threads: 1 });
  try {
    const load = await rejection(() => collect(loading.process([{ value: { id: 0, ms: 0, fail: false } }])));
    assert.ok(load instanceof TransformLoadError, String(load));
    assert.equal(load.code, 'ERR_TIDEMARK_TRANSFORM_LOAD');
    assert.match(load.message, /node-host-throws-at-load\.mjs cannot start: no config/);
  } finally {
    await loading.close();
  }

  // A remote name that loads a module is code execution: nothing outside the folder, whether it exists or not.
  for (const name of ['../outside.mjs', '../identity.js', 'nested/../../identity.js', join(serveFixtures, transform), `file://${join(serveFixtures, transform)}`]) {
    const outside = await rejection(() => connect(shared.url, { transform: name }));
    assert.ok(outside instanceof InvalidOptionError, `${name}: ${String(outside)}`);
    assert.equal(outside.option, 'transform', name);
    assert.equal(outside.received, name);
    assert.match(outside.message, /inside the served folder/, name);
  }
  // Far-side sources too.
  const engine = await connect(shared.url, { transform, threads: 1 });
  try {
    for (const [source, option] of [
      [{ ndjson: '../bench-skew.ndjson' }, 'source.ndjson'],
      [{ module: cliFixture('bench-skew.js') }, 'source.module'],
    ] as const) {
      const error = await rejection(() => collect(engine.process(source)));
      assert.ok(error instanceof InvalidOptionError, String(error));
      assert.equal(error.option, option);
    }
    // The connection serves on after the refusals.
    assert.equal((await collect(engine.process([{ value: { id: 3, ms: 0, fail: false } }]))).size, 1);
  } finally {
    await engine.close();
  }
});

test('an oversized frame (1009) and malformed frames (1008) close only their own connection, with a reason; another run goes on to its end', async () => {
  const n = 1000;
  const messages = skewed(n, 7);
  const gate = deferred();
  async function* gated(): AsyncGenerator<SourceRecord<Skewed>> {
    for (const [i, message] of messages.entries()) {
      if (i === n / 2) await gate.promise;
      yield message;
    }
  }
  const engine = await connect(shared.url, { transform, threads: twoThreads, concurrency: 16 });
  const halfway = deferred();
  const received = new Map<number, EngineRecord<{ id: number; square: number }>>();
  const running = (async () => {
    for await (const record of engine.process<{ id: number; square: number }>(gated())) {
      assert.equal(received.has(record.offset), false, `offset ${record.offset} came twice`);
      received.set(record.offset, record);
      if (received.size === n / 2) halfway.resolve();
    }
  })();
  running.catch(() => {}); // awaited below
  try {
    await within(halfway.promise, 'the first half of the records');

    const big = await openSocket(shared.url);
    const bigClosed = closeOf(big);
    big.send('x'.repeat(maxFrameBytes + 1));
    assert.deepEqual(await bigClosed, { code: 1009, reason: `a frame over --max-frame-bytes (${maxFrameBytes} bytes)` });

    const garbled = await openSocket(shared.url);
    const garbledClosed = closeOf(garbled);
    garbled.send('this is not a devalue frame');
    const garbledEnd = await garbledClosed;
    assert.equal(garbledEnd.code, 1008);
    assert.match(garbledEnd.reason, /^malformed frame: /);

    const binary = await openSocket(shared.url);
    const binaryClosed = closeOf(binary);
    binary.send(Buffer.from([1, 2, 3]));
    assert.deepEqual(await binaryClosed, { code: 1008, reason: 'malformed frame: not a text frame' });

    for (const reason of [/a frame over --max-frame-bytes/, /malformed frame: (?!not a text)/, /malformed frame: not a text frame/]) {
      await shared.until(() => new RegExp(`^tidemark: connection \\d+ closed: .*${reason.source}`, 'm').test(shared.stderr), `a closed line for ${reason}`);
    }

    gate.resolve();
    await within(running, 'the other run to end');
    assert.deepEqual([...received.keys()].sort((a, b) => a - b), range(n), 'the other run: every message once');
    for (const id of range(n)) checkRecord(received.get(id), id);
  } finally {
    gate.resolve();
    await engine.close();
  }
  // And the server takes new connections.
  assert.ok((await listTransforms(webSocketEndpoint(await openSocket(shared.url)))).includes(transform));
});

test(
  'a frame that parses but is not a call of a served method (a comlink GET) closes its connection as a policy violation (1008), with a reason',
  async () => {
    const socket = await openSocket(shared.url);
    const closed = closeOf(socket);
    // devalue's encoding of comlink's { id, type: 'GET', path: ['constructor'] }.
    socket.send('[{"id":1,"type":2,"path":3},"a","GET",[4],"constructor"]');
    const end = await closed;
    assert.match(end.reason, /^malformed message: a GET message \(only calls are served\)$/);
    assert.equal(end.code, 1008);
  },
);

