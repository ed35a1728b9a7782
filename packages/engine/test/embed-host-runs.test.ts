import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { MessageChannel } from 'node:worker_threads';
import { test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { connectEngine, exposeEngine, webSocketEndpoint } from '../src/embed/index.js';
import type { RemoteEngine } from '../src/embed/index.js';
import { within } from './helpers/wait.js';

const transform = new URL('./fixtures/double.js', import.meta.url);

async function connected(options: Record<string, unknown> = {}): Promise<RemoteEngine> {
  const { port1, port2 } = new MessageChannel();
  exposeEngine(port2);
  return connectEngine(port1, { transform, threads: 1, ...options });
}

test('close() during a run stops reading; what was in flight still reaches the iterator, which then ends', async () => {
  const engine = await connected({ concurrency: 8 });
  function* endless(): Generator<{ value: number }> {
    for (let i = 0; ; i++) yield { value: i };
  }
  const records = engine.process(endless());
  const offsets = new Set<number>();
  for (let i = 0; i < 50; i++) {
    const next = await records.next();
    assert.ok(next.done !== true, 'an endless run gives records');
    offsets.add(next.value.offset);
  }
  const closing = engine.close();
  for (;;) {
    const next = await within(records.next(), 'the records in flight after close()');
    if (next.done === true) break;
    assert.equal(offsets.has(next.value.offset), false, 'no record twice');
    offsets.add(next.value.offset);
  }
  await within(closing, 'close()');
  const read = engine.stats?.read ?? 0;
  assert.ok(read > 0);
  assert.deepEqual([...offsets].sort((a, b) => a - b), Array.from({ length: read }, (_, i) => i), 'every message read was handed over, none twice');
});

test('each run emits its own watermark rises, a later run with lower event times included', async () => {
  const engine = await connected();
  try {
    for (const base of [2_000_000, 1_000_000]) {
      const seen: number[] = [];
      const on = (w: number): void => {
        seen.push(w);
      };
      engine.on('watermark', on);
      for await (const record of engine.process(Array.from({ length: 100 }, (_, i) => ({ value: i, eventTime: base + i })))) void record;
      engine.off('watermark', on);
      assert.ok(seen.length > 0, `the run from ${base} emitted watermark events`);
      assert.equal(seen.at(-1), base + 99);
      assert.equal(engine.watermark, base + 99);
    }
  } finally {
    await engine.close();
  }
});

test('a host source whose error throws as it is read still ends the run with that error', async () => {
  const engine = await connected();
  try {
    const broke = new Error('source broke');
    Object.defineProperty(broke, 'detail', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    async function* source(): AsyncGenerator<{ value: number }> {
      yield { value: 1 };
      throw broke;
    }
    await assert.rejects(
      within(
        (async () => {
          for await (const record of engine.process(source())) void record;
        })(),
        'the run to end',
      ),
      (error: unknown) => error === broke,
    );
  } finally {
    await engine.close();
  }
});

test('connectEngine on a WebSocket that is still connecting waits for it to open', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => exposeEngine(webSocketEndpoint(socket)));
  try {
    const socket = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    assert.equal(socket.readyState, WebSocket.CONNECTING);
    const engine = await within(connectEngine(webSocketEndpoint(socket), { transform, threads: 1 }), 'connectEngine on a connecting socket');
    const values: unknown[] = [];
    for await (const record of engine.process([{ value: 4 }])) if (record.kind === 'output') values.push(record.value);
    assert.deepEqual(values, [8]);
    await engine.close();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
