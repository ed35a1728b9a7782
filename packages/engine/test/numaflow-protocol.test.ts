import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentials, status } from '@grpc/grpc-js';
import type { ClientDuplexStream, StatusObject } from '@grpc/grpc-js';
import { mapClientConstructor } from '../src/numaflow/index.js';
import type { MapResponse } from '../src/numaflow/index.js';
import { DataPlane, HoldChannel, resultTexts, serveSkew } from './helpers/numaflow-data-plane.js';
import { until, within } from './helpers/wait.js';

// Tidemark's Numaflow map server driven as Numaflow's data plane drives it
// (rust/numaflow-core/src/mapper/map/unary.rs): one MapFn stream, a handshake,
// then requests written without waiting, the answers matched by id in whatever
// order they come. Completion order is fixed by gates, never by a clock.

const drop = '||U+005C__DROP__';

/** The generated client, for a stream written by hand. */
interface RawClient {
  MapFn(): ClientDuplexStream<object, MapResponse>;
  close(): void;
}

/** What the skew fixture answers for `n:<i>:…` with keys `[key]`, as resultTexts() prints it. */
function expected(i: number, key: string): string[] {
  const keys = key === '' ? '' : key;
  switch (i % 5) {
    case 0:
    case 1:
      return [`out:${i}|${keys}|`];
    case 2:
      return [`out:${i}|k${i},${key === '' ? 'none' : key}|${i % 2 === 0 ? 'even' : 'odd'}`];
    case 3:
      return [`a:${i}|${keys}|`, `b:${i}|${keys}|`];
    default:
      return [drop];
  }
}

test('10,000 requests in flight on one stream with skewed latencies: each id answered once, with its results, out of order', async (t) => {
  const server = await serveSkew(t);
  const holds = new HoldChannel();
  t.after(() => {
    holds.release('first');
    holds.close();
  });
  assert.equal(await DataPlane.isReady(server.socket), true, 'IsReady says ready');
  const plane = await DataPlane.connect(server.socket);
  t.after(() => plane.close());

  const n = 10_000;
  const held = 10;
  const keyOf = (i: number): string => `key${i % 3}`;
  // The first ten requests are held until every other one is answered; the rest
  // take 200 to 200,000 rounds of a hash loop: a skew of three orders of magnitude.
  for (let i = 0; i < n; i++) {
    const work = i % 97 === 0 ? 200_000 : i % 7 === 0 ? 20_000 : 200;
    plane.send(`r${i}`, i < held ? `hold:first:${i}` : `n:${i}:${work}`, [keyOf(i)], 1_700_000_000_000 + i);
  }
  await holds.started('first', held);
  await plane.received(n - held, 'every request but the held ones');
  const early = new Set(plane.responses.map((response) => response.id));
  for (let i = 0; i < held; i++) assert.equal(early.has(`r${i}`), false, `held request r${i} was answered before its release`);
  assert.ok(server.pending >= held, `the held requests are still pending: ${server.pending}`);
  holds.release('first');
  await plane.received(n, 'the held requests, once released');

  const byId = new Map<string, MapResponse>();
  for (const response of plane.responses) {
    assert.equal(response.status, undefined, 'no EOT in unary map');
    assert.equal(byId.has(response.id ?? ''), false, `${response.id} answered twice`);
    byId.set(response.id ?? '', response);
  }
  assert.equal(byId.size, n, 'every id answered');
  for (let i = 0; i < n; i++) {
    const response = byId.get(`r${i}`);
    assert.ok(response !== undefined, `r${i} answered`);
    assert.deepEqual(resultTexts(response), i < held ? [`held:${i}|${keyOf(i)}|`] : expected(i, keyOf(i)), `the results of r${i}`);
  }
  const order = plane.responses.map((response) => Number(response.id?.slice(1)));
  assert.deepEqual(order.slice(-held).sort((a, b) => a - b), [...Array(held).keys()], 'the first ten sent were the last ten answered: out of order');

  plane.end();
  const final = await within(plane.status, 'the stream to end');
  assert.equal(final.code, status.OK, 'the client closed its side: the stream ends OK once every request is answered');
  assert.equal(server.engine.stats?.failed, 0);
});

test('several streams share one engine: each gets the answers to its own requests, and no request without keys or event time is refused', async (t) => {
  const server = await serveSkew(t);
  const planes = await Promise.all([0, 1, 2].map(() => DataPlane.connect(server.socket)));
  t.after(() => planes.forEach((plane) => plane.close()));
  const n = 300;
  for (const [p, plane] of planes.entries()) {
    // The same ids on every stream: ids are per stream.
    for (let i = 0; i < n; i++) plane.send(`r${i}`, `n:${i + p}:${(i * 37) % 1000}`);
  }
  for (const [p, plane] of planes.entries()) {
    await plane.received(n, `stream ${p}'s answers`);
    const texts = new Map(plane.responses.map((response) => [response.id, resultTexts(response)]));
    assert.equal(texts.size, n);
    for (let i = 0; i < n; i++) assert.deepEqual(texts.get(`r${i}`), expected(i + p, ''), `stream ${p}, r${i}`);
  }
  assert.equal(server.streams, 3);
});

test('a stream whose first message is not a handshake ends with INVALID_ARGUMENT, as the SDKs end it; the server goes on', async (t) => {
  const server = await serveSkew(t);
  const client = new (mapClientConstructor())(`unix:${server.socket}`, credentials.createInsecure()) as unknown as RawClient;
  t.after(() => client.close());
  const call = client.MapFn();
  call.on('error', () => {}); // the status says it
  const final = new Promise<StatusObject>((resolve) => call.on('status', resolve));
  call.write({ id: 'x', request: { keys: [], value: Buffer.from('n:1:1') } });
  const ended = await within(final, 'the stream to end');
  assert.equal(ended.code, status.INVALID_ARGUMENT);
  assert.match(ended.details, /expected a handshake/);
  const plane = await DataPlane.connect(server.socket);
  t.after(() => plane.close());
  plane.send('y', 'n:1:1');
  await plane.received(1);
  assert.deepEqual(resultTexts(plane.responses[0] ?? {}), ['out:1||']);
});

test('flow control: with every slot held, the server stops reading at its read-ahead and the client waits; released, every request is answered', async (t) => {
  const readAhead = 8;
  const concurrency = 2;
  const server = await serveSkew(t, { concurrency, readAhead });
  const holds = new HoldChannel();
  t.after(() => {
    holds.release('slots');
    holds.close();
  });
  const plane = await DataPlane.connect(server.socket);
  t.after(() => plane.close());
  const n = 2000;
  for (let i = 0; i < n; i++) plane.send(`r${i}`, i < concurrency ? `hold:slots:${i}` : `n:${i}:10`);
  await holds.started('slots', concurrency);
  await until(() => server.pending >= readAhead, 'the server to read ahead', () => server.pending);
  // Received and unanswered, at most: the read-ahead, the engine's buffers (input ceil(c / 8),
  // processing c, output 3c) and the 16 messages a paused object-mode stream may hold.
  const bound = readAhead + Math.ceil(concurrency / 8) + concurrency + 3 * concurrency + 16;
  let most = 0;
  // Watch the count while the client's 2,000 requests press on the socket (they all reach the
  // server within a few turns when nothing holds them back).
  for (let turn = 0; turn < 2000; turn++) {
    most = Math.max(most, server.pending);
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.ok(most <= bound, `received and unanswered stayed within ${bound}: at most ${most}`);
  assert.equal(plane.responses.length, 0);
  holds.release('slots');
  await plane.received(n, 'every request, once released');
  assert.equal(new Set(plane.responses.map((response) => response.id)).size, n);
});
