import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import type { KV } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { InvalidOptionError } from '../src/errors.js';
import { openWatermarkBucket } from '../src/nats/watermark-bucket.js';
import { decodeWatermarkEntry, encodeWatermarkEntry } from '../src/nats/watermark-entry.js';
import { WatermarkPublisher } from '../src/nats/watermark-publisher.js';
import { WatermarkReader } from '../src/nats/watermark-reader.js';
import { startNatsServer } from '../src/workload/nats-server.js';
import type { NatsServer } from '../src/workload/nats-server.js';
import { until, within } from './helpers/wait.js';
import { eventsOf, join, NO_BEAT, rise } from './helpers/watermark-kv.js';

// A real nats-server 2.9.10 for the whole file, a bucket of its own for each
// test. Time is driven by what the reader is seen to have received (until a
// publisher's put shows in `reader.publishers`), a fake clock for staleness
// where the test checks what is dropped when, and real time only where a
// test waits, bounded, for a beat to go stale.

let server: NatsServer;
let nc: NatsConnection;
let buckets = 0;

before(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
});

after(async () => {
  await nc?.close();
  await server?.stop();
});

const bucket = (): Promise<KV> => openWatermarkBucket(nc, `wm-${++buckets}`);

test('an entry round-trips, and anything else decodes to nothing', () => {
  for (const watermark of [0, -5, 1_717_171_717_000.5, Number.NEGATIVE_INFINITY]) {
    assert.deepEqual(decodeWatermarkEntry(encodeWatermarkEntry({ watermark })), { watermark });
  }
  const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
  for (const bad of ['', 'x', 'null', '[1]', '"1"', '{}', '{"v":1}', '{"v":2,"watermark":1}', '{"v":"1","watermark":1}', '{"v":1,"watermark":"1"}', '{"v":1,"watermark":1e999}', '{"v":1,"watermark":true}']) {
    assert.equal(decodeWatermarkEntry(bytes(bad)), undefined, bad);
  }
  assert.equal(decodeWatermarkEntry(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), undefined, 'not UTF-8');
  assert.equal(decodeWatermarkEntry(bytes(`{"v":1,"watermark":1,"pad":"${'x'.repeat(300)}"}`)), undefined, 'too long');
});

test('the bucket is created with history 1, a one-hour TTL and small values, and bound as it is when it exists', async () => {
  const kv = await openWatermarkBucket(nc, 'wm-settings');
  const status = await kv.status();
  assert.equal(status.history, 1);
  assert.equal(status.ttl, 3_600_000);
  assert.equal(status.maxValueSize, 256);
  const again = await openWatermarkBucket(nc, 'wm-settings', { ttl: 5000 });
  assert.equal((await again.status()).ttl, 3_600_000, 'an existing bucket keeps its settings');
  await assert.rejects(openWatermarkBucket(nc, 'a.b'), InvalidOptionError);
  await assert.rejects(openWatermarkBucket(nc, 'ok', { ttl: 10 }), InvalidOptionError);
});

test('options and watermarks are checked', async () => {
  const kv = await bucket();
  for (const processor of ['', 'a b', '.a', 'a.', 'a*', 'a>', 7]) {
    await assert.rejects(WatermarkPublisher.open(kv, processor as string), { code: 'ERR_TIDEMARK_INVALID_OPTION', option: 'processor' });
  }
  for (const heartbeat of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '100']) {
    await assert.rejects(WatermarkPublisher.open(kv, 'p', { heartbeat: heartbeat as number }), { option: 'heartbeat' });
  }
  for (const staleAfter of [0, Number.NaN, Number.POSITIVE_INFINITY, '5']) {
    await assert.rejects(WatermarkReader.open(kv, { staleAfter: staleAfter as number }), { option: 'staleAfter' });
  }
  const publisher = await WatermarkPublisher.open(kv, 'p', { heartbeat: NO_BEAT });
  for (const value of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, '5', null, undefined]) {
    assert.throws(() => publisher.update(value as number), (error: unknown) => {
      assert.ok(error instanceof InvalidOptionError);
      assert.equal(error.code, 'ERR_TIDEMARK_INVALID_OPTION');
      assert.equal(error.option, 'watermark');
      return true;
    });
  }
  publisher.update(10);
  publisher.update(5); // below the last: ignored
  assert.equal(publisher.watermark, 10);
  await publisher.close();
  assert.equal(publisher.published, 10, 'close puts the last watermark');
  const stored = await kv.get('p');
  assert.deepEqual(decodeWatermarkEntry(stored!.value), { watermark: 10 });
});

test('the minimum is the least watermark over three publishers, and rises as the least one does', async () => {
  const kv = await bucket();
  const reader = await WatermarkReader.open(kv);
  const events = eventsOf(reader);
  const [a, b, c] = [await join(reader, kv, 'a'), await join(reader, kv, 'b'), await join(reader, kv, 'c')];
  assert.equal(reader.minimum, Number.NEGATIVE_INFINITY, 'publishers with no watermark yet hold it');
  await rise(reader, a, 30);
  await rise(reader, b, 10);
  assert.equal(reader.minimum, Number.NEGATIVE_INFINITY, 'c has no watermark yet');
  await rise(reader, c, 20);
  assert.equal(reader.minimum, 10);
  await rise(reader, b, 25);
  assert.equal(reader.minimum, 20);
  await rise(reader, c, 40);
  assert.equal(reader.minimum, 25);
  await rise(reader, a, 31); // not the least: no rise
  assert.deepEqual(events.watermark, [10, 20, 25]);
  assert.deepEqual([...reader.publishers.keys()].sort(), ['a', 'b', 'c']);
  await Promise.all([a, b, c].map((p) => p.close({ remove: true })));
  await reader.close();
});

test('a removed publisher is dropped at once and the minimum rises past it', async () => {
  const kv = await bucket();
  const reader = await WatermarkReader.open(kv, { staleAfter: 3_600_000 });
  const events = eventsOf(reader);
  const a = await join(reader, kv, 'a');
  const b = await join(reader, kv, 'b');
  await rise(reader, a, 10);
  await rise(reader, b, 20);
  const removed = once(reader, 'removed');
  await a.close({ remove: true });
  assert.deepEqual(await within(removed, 'the reader to drop a'), ['a']);
  assert.equal(reader.minimum, 20);
  assert.deepEqual(events.watermark, [10, 20]);
  assert.deepEqual([...reader.publishers.keys()], ['b']);
  await b.close({ remove: true });
  await until(() => reader.publishers.size === 0, 'the reader to drop b');
  assert.equal(reader.minimum, 20, 'with no publisher left the minimum stays');
  await reader.close();
});

test('a publisher that stops beating goes stale and the minimum rises (real time)', async () => {
  const kv = await bucket();
  // Beats every 20 ms against a second: only the closed publisher goes stale.
  const reader = await WatermarkReader.open(kv, { staleAfter: 1000 });
  const events = eventsOf(reader);
  const a = await join(reader, kv, 'a', 20);
  const b = await join(reader, kv, 'b', 20);
  await rise(reader, a, 10);
  await rise(reader, b, 20);
  const stale = once(reader, 'stale');
  await a.close(); // the key stays; only its beat stops
  assert.deepEqual(await within(stale, 'the reader to find a stale', 15_000), ['a']);
  assert.equal(reader.minimum, 20);
  assert.deepEqual(events.stale, ['a']);
  assert.deepEqual(events.watermark, [10, 20]);
  assert.ok((await kv.get('a'))?.operation === 'PUT', "a's key is still there");
  await b.close({ remove: true });
  await reader.close();
});

test('staleness by the reader’s clock: a beat resets it, a publisher that comes back rejoins without lowering the minimum', async () => {
  const kv = await bucket();
  let now = 0;
  const reader = await WatermarkReader.open(kv, { staleAfter: 100, clock: () => now });
  const events = eventsOf(reader);
  const a = await join(reader, kv, 'a');
  const b = await join(reader, kv, 'b');
  await rise(reader, a, 10);
  await rise(reader, b, 20);
  now = 60;
  await rise(reader, b, 21); // b beats at 60; a's last beat is at 0
  now = 100;
  reader.sweep();
  assert.deepEqual(events.stale, [], 'exactly staleAfter old is not stale yet');
  now = 101;
  reader.sweep();
  assert.deepEqual(events.stale, ['a']);
  assert.equal(reader.minimum, 21);
  await rise(reader, a, 15); // a comes back below the minimum
  assert.equal(reader.minimum, 21, 'a rejoining below does not lower it');
  await rise(reader, b, 30);
  assert.equal(reader.minimum, 21, 'a holds it until it catches up');
  await rise(reader, a, 40);
  assert.equal(reader.minimum, 30);
  assert.deepEqual(events.watermark, [10, 21, 30]);
  await Promise.all([a.close({ remove: true }), b.close({ remove: true })]);
  await reader.close();
});

test('a late joiner below the minimum does not lower it', async () => {
  const kv = await bucket();
  const reader = await WatermarkReader.open(kv);
  const events = eventsOf(reader);
  const a = await join(reader, kv, 'a');
  const b = await join(reader, kv, 'b');
  await rise(reader, a, 50);
  await rise(reader, b, 60);
  const late = await join(reader, kv, 'late');
  assert.equal(reader.minimum, 50, 'joining with no watermark does not lower it');
  await rise(reader, late, 5);
  assert.equal(reader.minimum, 50);
  await rise(reader, a, 100);
  await rise(reader, b, 100);
  assert.equal(reader.minimum, 50, 'the late joiner holds it');
  await rise(reader, late, 70);
  assert.equal(reader.minimum, 70);
  assert.deepEqual(events.watermark, [50, 70]);
  await Promise.all([a, b, late].map((p) => p.close({ remove: true })));
  await reader.close();
});

test('a reader that opens on a bucket takes its first minimum over every key there, and ages old beats by server time', async () => {
  const kv = await bucket();
  const a = await WatermarkPublisher.open(kv, 'a', { heartbeat: NO_BEAT });
  const b = await WatermarkPublisher.open(kv, 'b', { heartbeat: 10 });
  const c = await WatermarkPublisher.open(kv, 'c', { heartbeat: NO_BEAT });
  a.update(20);
  await a.close();
  c.update(5);
  await c.close();
  b.update(50);
  const first = await WatermarkReader.open(kv, { staleAfter: 3_600_000 });
  assert.equal(first.minimum, 5, 'over all three keys, not over a, the first to arrive');
  assert.deepEqual([...first.publishers.keys()].sort(), ['a', 'b', 'c']);
  await first.close();
  // b keeps beating; wait (by the server's clock) until a's and c's last beats are 300 ms older than b's.
  const created = async (key: string): Promise<number> => (await kv.get(key))!.created.getTime();
  const [aAt, cAt] = [await created('a'), await created('c')];
  let bAt = 0;
  const poll = setInterval(() => void created('b').then((at) => (bAt = at)), 20);
  try {
    await until(() => bAt - Math.max(aAt, cAt) > 300, "b's beats to be 300 ms newer than a's and c's (server time)");
  } finally {
    clearInterval(poll);
  }
  const second = await WatermarkReader.open(kv, { staleAfter: 300 });
  assert.deepEqual([...second.publishers.keys()], ['b'], 'a and c were stale when it opened');
  assert.equal(second.minimum, 50);
  await second.close();
  await b.close({ remove: true });
});

test('malformed entries are ignored and counted, live and in the bucket at open', async () => {
  const kv = await bucket();
  const junk: (string | Uint8Array)[] = ['not json', '', 'null', '[1,2]', '{"v":1}', '{"v":2,"watermark":10}', '{"v":1,"watermark":"10"}', '{"v":1,"watermark":1e999}', new Uint8Array([0xff, 0xfe])];
  const reader = await WatermarkReader.open(kv);
  const p = await join(reader, kv, 'p');
  await rise(reader, p, 10);
  for (const [i, value] of junk.entries()) await kv.put(`junk${i}`, value);
  await kv.put('p', 'garbage over a live key');
  const sentinel = await join(reader, kv, 'sentinel'); // entries arrive in order: everything before it is in
  assert.equal(reader.malformed, junk.length + 1);
  assert.deepEqual([...reader.publishers.keys()].sort(), ['p', 'sentinel']);
  assert.deepEqual(reader.publishers.get('p')?.watermark, 10, 'a junk put leaves the last good one');
  await rise(reader, sentinel, 30);
  await rise(reader, p, 20);
  assert.equal(reader.minimum, 20, 'it goes on working');
  await p.close(); // leaves its key holding 20 after the junk
  const late = await WatermarkReader.open(kv, { staleAfter: 3_600_000 });
  assert.equal(late.malformed, junk.length, 'the junk keys in the bucket are counted at open');
  assert.equal(late.minimum, 20);
  await Promise.all([late.close(), reader.close(), sentinel.close({ remove: true })]);
});

test('neither the publisher’s beat nor the reader’s staleness timer keeps the process alive', async () => {
  // Counted while nothing else is in flight (a put holds a ref'd request timer of the client's).
  const kv = await bucket();
  const refed = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
  const start = refed();
  const publisher = await WatermarkPublisher.open(kv, 'p', { heartbeat: NO_BEAT });
  assert.equal(refed(), start, "the publisher's heartbeat timer is unref'd");
  await publisher.close({ remove: true });
  // The watch itself holds a timer of the client's (its idle-heartbeat check): count it alone, then the reader.
  const watch = await kv.watch();
  const withWatch = refed();
  watch.stop();
  await until(() => refed() === start, "the plain watch's timer to go");
  const reader = await WatermarkReader.open(kv, { staleAfter: 40 });
  assert.equal(refed(), withWatch, "the reader adds no ref'd timer beyond its watch's");
  await reader.close();
});

test('a server killed and started again on its store: publishers and the reader carry on', async () => {
  const own = await startNatsServer();
  const conn = await connect({ servers: own.url, reconnectTimeWait: 50, maxReconnectAttempts: -1 });
  let again: NatsServer | undefined;
  try {
    const kv = await openWatermarkBucket(conn, 'wm-restart');
    const reader = await WatermarkReader.open(kv, { staleAfter: 60_000 });
    const events = eventsOf(reader);
    const a = await join(reader, kv, 'a', 20);
    await rise(reader, a, 10);
    own.kill();
    await within(own.exited, 'the killed server to exit');
    again = await startNatsServer({ port: own.port, storeDir: own.storeDir });
    // The bucket is on file: it is still there, and so is a's key.
    a.update(20);
    await until(() => reader.publishers.get('a')?.watermark === 20, 'the reader to see a put after the restart', () => ({ published: a.published, failures: a.failures }));
    assert.deepEqual(events.watermark, [10, 20]);
    await a.close({ remove: true });
    await reader.close();
  } finally {
    await conn.close();
    await again?.stop();
    await own.stop(); // removes the store directory
  }
});
