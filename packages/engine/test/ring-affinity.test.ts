import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ThreadGate, ringHarness } from './helpers/ring-harness.js';

// Key affinity in the ring transport: a message with `affinity` runs on
// worker slot `affinity % threads`, always the same thread; different
// slots are different threads. Ring-only: the task transport ignores
// affinity (piscina picks each task's worker).

test('ring: messages with the same affinity all run on one thread, and slots spread over the threads', async (t) => {
  const threads = 3;
  const gate = new ThreadGate();
  gate.open();
  const ring = await ringHarness(t, threads, 2, gate);
  // Affinities 0..8 (three per slot, the large one too) and some without any.
  const affinities = [0, 1, 2, 3, 4, 5, 6, 7, 8, 1_000_001];
  const rounds = 6;
  const withAffinity: { id: number; affinity: number }[] = [];
  let id = 0;
  for (let round = 0; round < rounds; round++) {
    for (const affinity of affinities) {
      withAffinity.push({ id, affinity });
      ring.send(id++, {}, affinity);
    }
    ring.send(id++); // no affinity: any worker
  }
  await ring.completed(Array.from({ length: id }, (_, i) => i), 'every message to complete');

  const threadOf = new Map<number, number>();
  for (const { id: sent, affinity } of withAffinity) {
    const { threadId } = ring.ran.get(sent)!;
    const completion = ring.log.find((c) => c.id === sent && c.values !== undefined)!;
    assert.equal(completion.threadId, threadId, 'the completion names the thread that ran it');
    const seen = threadOf.get(affinity) ?? threadId;
    assert.equal(threadId, seen, `every message of affinity ${affinity} ran on thread ${seen}`);
    threadOf.set(affinity, threadId);
  }
  // The same slot is the same thread; the slots are all the threads, each its own.
  const slotThreads = Array.from({ length: threads }, (_, slot) => threadOf.get(slot)!);
  for (const [affinity, thread] of threadOf) assert.equal(thread, slotThreads[affinity % threads], `affinity ${affinity} ran on slot ${affinity % threads}'s thread`);
  assert.equal(new Set(slotThreads).size, threads, `each slot has a thread of its own: ${slotThreads.join(', ')}`);
  assert.equal(ring.log.filter((c) => c.values === undefined).length, 0, 'no try failed or was requeued');
});
