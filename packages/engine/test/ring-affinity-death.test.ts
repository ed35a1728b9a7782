import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ThreadGate, ringHarness } from './helpers/ring-harness.js';

// When the worker of a slot dies, its replacement takes over the slot:
// the messages of that slot's affinities go to the replacement (those the
// dead worker held, requeued, and those sent after), never to another
// slot's worker, and none is lost. Ring-only: the task transport ignores
// affinity.

test('ring: after a slot\'s worker dies, its affinity goes to the replacement and nothing is lost', async (t) => {
  const gate = new ThreadGate();
  const ring = await ringHarness(t, 2, 2, gate);
  // Slot 0's thread, for comparison.
  ring.send(0, {}, 0);
  await ring.completed([0], 'the first message of slot 0');
  const slot0 = ring.ran.get(0)!.threadId;

  // Slot 1 holds a gated message, then one that ends its worker: both its
  // places are taken, so what follows for slot 1 waits on the main thread.
  ring.send(1, { gate: gate.buffer }, 1);
  await ring.reached(1);
  ring.send(2, { exit: true }, 3);
  const later = [3, 4, 5, 6, 7, 8];
  for (const id of later) ring.send(id, {}, id % 2 === 1 ? 1 : 5); // all slot 1
  const others = [9, 10, 11];
  for (const id of others) ring.send(id, {}, 0);
  await ring.completed(others, 'slot 0\'s messages, held back by nothing');

  await ring.completed([2], 'the message that ended its worker, on its retry');
  gate.open();
  await ring.completed([1, ...later], 'the dead worker\'s message and those sent after it');

  const dead = ring.log.find((c) => c.id === 2 && c.error !== undefined);
  assert.ok(dead !== undefined, 'the try that ended its worker failed');
  const deadThread = dead.threadId;
  const replacement = ring.ran.get(2)!.threadId;
  assert.notEqual(replacement, deadThread, 'the retry ran on the replacement');
  assert.notEqual(replacement, slot0, 'not on slot 0\'s worker');
  for (const id of [1, ...later]) assert.equal(ring.ran.get(id)!.threadId, replacement, `message ${id} ran on slot 1's replacement`);
  for (const id of others) assert.equal(ring.ran.get(id)!.threadId, slot0, `message ${id} ran on slot 0's worker`);
  // The gated message was held by the dead worker: requeued, not failed.
  assert.ok(ring.log.some((c) => c.id === 1 && c.requeue), 'the dead worker\'s other message was requeued');
  assert.equal(ring.ran.size, 12, 'every message completed once');
  assert.equal(ring.transport.restarts, 1);
});
