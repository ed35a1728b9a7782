import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { connectEngine, exposeEngine, webSocketEndpoint } from '../src/embed/index.js';
import type { ExposedEngines } from '../src/embed/index.js';
import { deferred } from './helpers/deferred.js';
import { within } from './helpers/wait.js';

// `drain()` then `close()`, as ExposedEngines documents it (and as `tidemark
// serve` stops): the host's run must end normally, its last answer (the one
// that says the run is over) sent before the connection closes.

test('drain() resolves only once the answer ending each run has gone out: close() right after it loses nothing and the host run ends normally', async (t) => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  await within(new Promise((resolve) => server.once('listening', resolve)), 'the server to listen');
  const served = deferred<ExposedEngines>();
  server.on('connection', (socket) => served.resolve(exposeEngine(webSocketEndpoint(socket))));
  const socket = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await within(new Promise((resolve) => socket.once('open', resolve)), 'the socket to open');
  const engine = await connectEngine(webSocketEndpoint(socket), {
    transform: new URL('./fixtures/double.js', import.meta.url),
    threads: 1,
  });
  const exposed = await served.promise;
  const gate = deferred();
  async function* source(): AsyncGenerator<{ value: number }> {
    for (let i = 0; i < 100; i++) yield { value: i };
    await gate.promise; // the source waits here: the run stays open until drain() stops its reading
    yield { value: 100 };
  }
  const received: number[] = [];
  const halfway = deferred();
  const running = (async () => {
    for await (const record of engine.process(source())) {
      received.push(record.offset);
      if (received.length === 100) halfway.resolve();
    }
  })();
  running.catch(() => {}); // awaited below
  try {
    await within(halfway.promise, 'the first 100 records');
    // close() as soon as drain() resolves, with nothing in between.
    await within(
      exposed.drain().then(() => exposed.close()),
      'drain() and close()',
    );
    await within(running, 'the host run to end'); // without the fix: EngineDisconnectedError, the done answer never sent
    assert.deepEqual(received.sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  } finally {
    gate.resolve();
    await engine.close();
  }
});
