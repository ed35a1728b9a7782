import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { openWatermarkBucket } from '../src/nats/watermark-bucket.js';
import { WatermarkReader } from '../src/nats/watermark-reader.js';
import { StalePeerHold } from '../src/nats/stale-peer-hold.js';
import type { WatermarkPublisher } from '../src/nats/watermark-publisher.js';
import { startNatsServer } from '../src/workload/nats-server.js';
import type { NatsServer } from '../src/workload/nats-server.js';
import { until } from './helpers/wait.js';
import { join, rise } from './helpers/watermark-kv.js';

// A survivor holds its key at a quiet peer's last watermark until the
// consumer's ack floor says what the peer held was redelivered and acked.
// A real bucket; the reader's clock is a fake one, moved by the test; the
// consumer's state is handed in as the consumer watch would.

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

/** A bucket with a reader on a fake clock (staleAfter 1000: a peer is held for after 500 ms quiet), and a hold for `self` that caps its publisher. */
async function setup(t: { after: (fn: () => Promise<void> | void) => void }) {
  const kv = await openWatermarkBucket(nc, `hold-${++buckets}`);
  const clock = { now: 0 };
  const reader = await WatermarkReader.open(kv, { staleAfter: 1000, clock: () => clock.now });
  t.after(() => reader.close());
  const self = await join(reader, kv, 'self');
  t.after(() => self.close());
  const caps: number[] = [];
  const hold = new StalePeerHold(reader, 'self', (cap) => {
    caps.push(cap);
    self.cap(cap);
  });
  t.after(() => hold.stop());
  const keyOf = (publisher: WatermarkPublisher, value: number): Promise<void> =>
    until(() => reader.publishers.get(publisher.processor)?.watermark === value, `${publisher.processor}'s key at ${value}`, () => [...reader.publishers]);
  return { kv, clock, reader, self, hold, caps, keyOf };
}

test('a peer quiet for half of staleAfter caps the key at its last watermark until the ack floor reaches what was delivered when the hold began', async (t) => {
  const { kv, clock, reader, self, hold, caps, keyOf } = await setup(t);
  const peer = await join(reader, kv, 'peer');
  t.after(() => peer.close());
  await rise(reader, peer, 100);
  await rise(reader, self, 500);
  assert.equal(reader.minimum, 100);

  clock.now += 500; // not yet more than half of staleAfter
  hold.check();
  assert.deepEqual(caps, []);
  assert.equal(hold.waiting, false);
  const before = performance.now() - 1; // a look asked now is answered after the hold began
  clock.now += 1;
  hold.check();
  assert.deepEqual(caps, [100], "held at the peer's last watermark");
  await keyOf(self, 100); // the key falls to it, before any reader drops the peer

  clock.now += 500;
  reader.sweep();
  assert.equal(reader.publishers.has('peer'), false, 'the reader dropped the peer');
  assert.equal(reader.minimum, 100, 'and the minimum stays at its watermark: the key holds it');

  hold.consumer(1000, 1000, before);
  assert.deepEqual(caps, [100], 'a look asked before the hold began says nothing of what the peer held');
  hold.consumer(150, 200, performance.now());
  assert.deepEqual(caps, [100], 'the ack floor is below what was delivered when the hold began');
  hold.consumer(199, 900, performance.now());
  assert.deepEqual(caps, [100], 'a later look does not move what the hold waits for, nor end it below');
  hold.consumer(200, 900, performance.now());
  assert.deepEqual(caps, [100, Number.POSITIVE_INFINITY], 'released once the ack floor reaches it');
  assert.equal(hold.waiting, false);
  await keyOf(self, 500);
  await until(() => reader.minimum === 500, 'the minimum to rise once the key is let go');
});

test('a beat is held for once; a peer that beats again and goes quiet again is held for again; the own key never is', async (t) => {
  const { kv, clock, reader, self, hold, caps } = await setup(t);
  await rise(reader, self, 500);
  const peer = await join(reader, kv, 'peer');
  t.after(() => peer.close());
  await rise(reader, peer, 100);

  clock.now += 501; // both quiet: the peer is held for, the process itself is not
  hold.check();
  hold.check();
  assert.deepEqual(caps, [100]);
  hold.consumer(5, 10, performance.now()); // the first hold waits for the ack floor to reach 10
  await rise(reader, peer, 300); // only slow: it beats again
  hold.check();
  assert.deepEqual(caps, [100], 'the first hold stands until the ack floor');
  clock.now += 501;
  hold.check(); // quiet again: held for again, at 300 (the cap is the least hold's)
  assert.deepEqual(caps, [100]);
  hold.consumer(10, 20, performance.now());
  assert.deepEqual(caps, [100, 300], 'the first hold ended; the second waits for 20');
  hold.consumer(20, 20, performance.now());
  assert.deepEqual(caps, [100, 300, Number.POSITIVE_INFINITY]);
});

test('a peer the reader drops between two checks is held for as last seen', async (t) => {
  const { kv, clock, reader, self, hold, caps, keyOf } = await setup(t);
  const peer = await join(reader, kv, 'peer');
  t.after(() => peer.close());
  await rise(reader, peer, 100);
  await rise(reader, self, 500);
  hold.check();
  clock.now += 1001; // a stalled process: its checks did not run, the reader's sweep does first
  reader.sweep();
  assert.equal(reader.publishers.has('peer'), false);
  assert.deepEqual(caps, [100]);
  await keyOf(self, 100);
  hold.consumer(5, 5, performance.now());
  assert.deepEqual(caps, [100, Number.POSITIVE_INFINITY]);
});
