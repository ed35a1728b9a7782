import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { MessageChannel } from 'node:worker_threads';
import { test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { EngineDisconnectedError, InvalidOptionError, connectEngine, exposeEngine, spawnEngine, webSocketEndpoint } from '../src/embed/index.js';
import type { EngineRecord } from '../src/index.js';
import { ServedEngines } from '../src/embed/engine-server.js';
import { ModuleNames } from '../src/embed/module-names.js';
import { within } from './helpers/wait.js';

// What an adversarial pass did to a remote engine, each once: the host process lives, nothing hangs.

const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);

async function connected(transform = fixture('identity.js')) {
  const { port1, port2 } = new MessageChannel();
  exposeEngine(port2);
  return connectEngine(port1, { transform, threads: 1 });
}

async function all(records: AsyncIterable<EngineRecord>): Promise<EngineRecord[]> {
  const out: EngineRecord[] = [];
  for await (const record of records) out.push(record);
  return out.sort((a, b) => a.offset - b.offset);
}

test('engineThreadLimits is checked as resourceLimits is: a stack too small to start is refused, not a process abort', async () => {
  for (const [limits, option] of [
    [{ stackSizeMb: 0.01 }, 'engineThreadLimits.stackSizeMb'],
    ['lots', 'engineThreadLimits'],
  ] as const) {
    await assert.rejects(spawnEngine({ transform: fixture('identity.js'), engineThreadLimits: limits as never }), (error: unknown) => {
      assert.ok(error instanceof InvalidOptionError, String(error));
      assert.equal(error.option, option);
      return true;
    });
  }
});

test('host items that cannot be read or copied are one failed record each, and the run goes on', async () => {
  const engine = await connected();
  try {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const nested = {
      get bad(): never {
        throw new Error('a nested getter');
      },
    };
    const records = await within(all(engine.process([{ value: 1 }, revoked.proxy as never, { value: { nested } }, { value: 4 }])), 'the run');
    assert.deepEqual(
      records.map((r) => [r.offset, r.kind]),
      [
        [0, 'output'],
        [1, 'failed'],
        [2, 'failed'],
        [3, 'output'],
      ],
    );
  } finally {
    await engine.close();
  }
});

test('a source that throws a value nothing can describe (a Proxy whose every trap throws) ends the run with it', async () => {
  const engine = await connected();
  try {
    const hostile = new Proxy(
      {},
      new Proxy({}, {
        get: () => () => {
          throw new Error('trap');
        },
      }),
    );
    async function* source(): AsyncGenerator<{ value: number }> {
      yield { value: 1 };
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the point: a thrown value nothing can read
      throw hostile;
    }
    // Not assert.rejects: it reads the rejection value, and every read of this one throws.
    let caught: unknown = 'nothing';
    try {
      await within(all(engine.process(source())), 'the run to end');
    } catch (error) {
      caught = error;
    }
    assert.ok(caught === hostile, 'the run ended with the value the source threw');
  } finally {
    await engine.close();
  }
});

test('feed columns no host makes (an index far past the batch) are refused, not a billion-hole batch', async () => {
  const served = new ServedEngines(new ModuleNames(undefined));
  try {
    const created = await served.create({ transform: fixture('identity.js').href, threads: 1 });
    assert.ok(created.error === undefined);
    const started = await served.start(created.ok.id, { source: { host: true }, credit: 8, acks: false, chunked: false });
    assert.ok(started.error === undefined);
    const fed = await served.feed(started.ok.run, { values: [1], raw: [[1e9, 1]] });
    assert.equal(fed.error?.name, 'InvalidOptionError');
    assert.equal(fed.error?.fields.option, 'items');
  } finally {
    await served.disconnect();
  }
});

test('an answer over the maxPayload of the host WebSocket client: EngineDisconnectedError, and the host process lives', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => exposeEngine(webSocketEndpoint(socket)));
  try {
    const socket = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, { maxPayload: 4096 });
    const engine = await connectEngine(webSocketEndpoint(socket), { transform: fixture('identity.js'), threads: 1 });
    await assert.rejects(within(all(engine.process([{ value: 'x'.repeat(100_000) }])), 'the run to end'), EngineDisconnectedError);
    await engine.close();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('spawnEngine: an answer the host cannot read (an output nested 5,000 deep) ends the run, never hangs', async () => {
  const engine = await spawnEngine({ transform: fixture('fuzz.js'), threads: 1 });
  try {
    const outcome = await within(
      all(engine.process([{ value: { n: 0 } }, { value: { fz: 'deep-output', depth: 5000 } }])).then(
        (records) => records.map((r) => r.kind),
        (error: unknown) => error,
      ),
      'the run to end',
    );
    if (Array.isArray(outcome)) assert.equal(outcome.length, 2);
    else assert.ok(outcome instanceof EngineDisconnectedError, String(outcome));
  } finally {
    await within(engine.close(), 'close()');
  }
});
