import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ThreadGate, ringHarness } from './helpers/ring-harness.js';

// A message whose slot is full waits on the main thread without holding
// back messages for other slots, nor messages without affinity (no
// head-of-line blocking in the waiting list); once its slot frees, the
// waiting ones go in read order. Ring-only: the task transport ignores
// affinity.

test('ring: a full slot holds back only its own messages', async (t) => {
  const gate = new ThreadGate();
  // One place per worker: a gated message fills its slot.
  const ring = await ringHarness(t, 2, 1, gate);
  ring.send(0, { gate: gate.buffer }, 0);
  await ring.reached(1);
  ring.send(1, {}, 0); // waits: slot 0 is full
  ring.send(2, {}, 1);
  ring.send(3); // no affinity
  ring.send(4, {}, 2); // slot 0: waits behind 1
  ring.send(5, {}, 3);
  await ring.completed([2, 3, 5], 'the messages sent after a waiting one, for the free slot');

  const slot1 = ring.ran.get(2)!.threadId;
  for (const id of [3, 5]) assert.equal(ring.ran.get(id)!.threadId, slot1, `message ${id} ran on the free slot`);
  for (const id of [0, 1, 4]) assert.ok(!ring.ran.has(id), `message ${id} waits for slot 0`);
  assert.equal(ring.transport.busyWorkers, 1, 'only slot 0 holds a message');

  gate.open();
  await ring.completed([0, 1, 4], 'slot 0\'s messages once it frees');
  const slot0 = ring.ran.get(0)!.threadId;
  assert.notEqual(slot0, slot1);
  for (const id of [1, 4]) assert.equal(ring.ran.get(id)!.threadId, slot0, `message ${id} ran on slot 0`);
  const order = ring.log.filter((c) => c.values !== undefined && [0, 1, 4].includes(c.id)).map((c) => c.id);
  assert.deepEqual(order, [0, 1, 4], 'slot 0\'s messages ran in read order');
});
