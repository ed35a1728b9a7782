import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile } from '../src/distribution.js';
import natsTransform from '../src/nats-transform.js';
import { natsPayloads, natsWorkloadNames } from '../src/nats-workload.js';

test("a message's work depends on the seed and its id alone: the paced messages continue the backlog's sequence", () => {
  for (const workload of natsWorkloadNames) {
    const all = natsPayloads(workload, 0, 300, 42);
    assert.deepEqual(natsPayloads(workload, 200, 100, 42), all.slice(200));
    assert.deepEqual(
      all.map((p) => p.id),
      Array.from({ length: 300 }, (_, i) => i),
    );
  }
  assert.notDeepEqual(natsPayloads('await', 0, 50, 42), natsPayloads('await', 0, 50, 43));
});

test('trivial asks for nothing; await only waits and cpu only spins, most messages fast and a few slow', () => {
  assert.ok(natsPayloads('trivial', 0, 100, 1).every((p) => p.ms === 0 && p.spin === 0));
  for (const [workload, field, other] of [
    ['await', 'ms', 'spin'],
    ['cpu', 'spin', 'ms'],
  ] as const) {
    const payloads = natsPayloads(workload, 0, 10_000, 42);
    assert.ok(payloads.every((p) => p[field] > 0 && p[other] === 0), workload);
    const sorted = payloads.map((p) => p[field]).sort((a, b) => a - b);
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    // Lognormal with sigma 1: the median is about 0.61 of the mean, p99 about 6.2 times it.
    assert.ok(percentile(sorted, 50) < 0.7 * mean, `${workload}: most messages are faster than the mean`);
    assert.ok(percentile(sorted, 99) > 4 * mean, `${workload}: one in a hundred is several times the mean`);
  }
});

test('the transform returns the id, whatever work its message asks for', async () => {
  assert.equal(await natsTransform({ id: 7, ms: 0, spin: 0 }), 7);
  assert.equal(await natsTransform({ id: 8, ms: 1, spin: 0 }), 8);
  assert.equal(await natsTransform({ id: 9, ms: 0, spin: 0.2 }), 9);
});
