import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Doorbell, Ring } from '../src/ring.js';

// Wake-ups on one thread, where the interleavings that matter can be forced:
// Atomics.notify also wakes a waitAsync waiter of its own thread. A lost
// wake-up leaves the test's promise pending; as a pending waitAsync does not
// keep the event loop alive, node:test fails it at once ("Promise resolution
// is still pending but the event loop has already resolved"), or at the timeout.

const timeout = 10_000;

function publishOne(producer: Ring): void {
  assert.notEqual(producer.reserve(1), -1);
  producer.commit();
}

test('waitForData resolves at once when a record is there, and on the next commit when not', { timeout }, async () => {
  const ring = Ring.create(64);
  const waiting = ring.waitForData();
  publishOne(ring);
  await waiting;
  assert.equal(ring.next(), 4);
  await ring.waitForData();
});

test('waitForRoomSync returns at once when the record fits', () => {
  const ring = Ring.create(64);
  ring.waitForRoomSync(ring.maxRecord);
  assert.notEqual(ring.reserve(ring.maxRecord), -1);
});

test('with a bell, the producer Ring rings it on commit and the consumer sleeping on it wakes', { timeout }, async () => {
  const bell = new Doorbell();
  const buffer = Ring.create(64).buffer;
  const producer = new Ring(buffer, new Doorbell(bell.buffer));
  const consumer = new Ring(buffer);
  const sleeping = bell.sleep(() => !consumer.empty);
  publishOne(producer);
  await sleeping;
  assert.ok(!consumer.empty);
});

test('Doorbell.sleep: a ring between the ready() check and the wait is not lost', { timeout }, async () => {
  const bell = new Doorbell();
  const producer = new Ring(Ring.create(64).buffer, bell);
  // ready() sees no work, then the producer commits before sleep gets to wait.
  await bell.sleep(() => {
    publishOne(producer);
    return false;
  });
});

test('Doorbell.sleep returns at once when ready() says there is work', { timeout }, async () => {
  const bell = new Doorbell();
  let asked = 0;
  await bell.sleep(() => ++asked > 0);
  assert.equal(asked, 1);
});

test('each sleep is notified: a consumer woken, then asleep again, is woken again', { timeout }, async () => {
  const ring = Ring.create(256);
  for (let round = 0; round < 3; round++) {
    const waiting = ring.waitForData();
    // Two commits while it sleeps: the second finds the same sleep notified and skips the call.
    publishOne(ring);
    publishOne(ring);
    await waiting;
    for (let i = 0; i < 2; i++) {
      assert.notEqual(ring.next(), -1);
      ring.release();
    }
  }
});

test('a consumer attached later (a new Ring on the same buffer) goes on from the shared sleep count, so it is notified', { timeout }, async () => {
  const buffer = Ring.create(64).buffer;
  const producer = new Ring(buffer);
  const before = new Ring(buffer);
  const first = before.waitForData();
  publishOne(producer);
  await first;
  assert.notEqual(before.next(), -1);
  before.release();
  // Its first sleep is not the sleep the producer last notified.
  const after = new Ring(buffer);
  const second = after.waitForData();
  publishOne(producer);
  await second;
  assert.notEqual(after.next(), -1);
});
