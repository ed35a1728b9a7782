import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MapResponse } from '../src/numaflow/index.js';
import { DataPlane, HoldChannel, readServerInfo, resultTexts, serveSkew } from './helpers/numaflow-data-plane.js';

// Batch map as Numaflow's data plane drives it (rust/numaflow-core/src/mapper/map/batch.rs):
// the requests of a batch, then a request with status.eot; the server answers every
// request (in any order) and then a response with status.eot, which the data plane
// takes as the end of the batch (an EOT before the last answer is its "UDF_PARTIAL_RESPONSE").

const isEot = (response: MapResponse): boolean => response.status?.eot === true;

test('batch map: every request of a batch is answered before its EOT, the slowest one held until the rest are; batches follow on the same stream', async (t) => {
  const server = await serveSkew(t, { mapMode: 'batch' });
  assert.equal((await readServerInfo(server.serverInfo)).metadata['MAP_MODE'], 'batch-map');
  const holds = new HoldChannel();
  t.after(() => {
    holds.release('batch');
    holds.close();
  });
  const plane = await DataPlane.connect(server.socket);
  t.after(() => plane.close());

  // Batch 1: 500 requests, the first held until the other 499 are answered.
  const first = 500;
  for (let i = 0; i < first; i++) plane.send(`a${i}`, i === 0 ? 'hold:batch:0' : `n:${i}:${(i * 7919) % 20_000}`, ['k']);
  plane.eot();
  await holds.started('batch', 1);
  await plane.received(first - 1, 'the batch but its held request');
  assert.equal(plane.responses.some(isEot), false, 'no EOT while a request of the batch is unanswered');
  holds.release('batch');
  await plane.received(first + 1, 'the held request and the EOT');
  const batch1 = plane.responses.slice(0, first + 1);
  assert.ok(isEot(batch1[first] as MapResponse), 'the EOT comes last');
  assert.equal(batch1.filter(isEot).length, 1);
  assert.equal(new Set(batch1.slice(0, first).map((response) => response.id)).size, first, 'every request answered once before it');
  assert.equal(batch1[first - 1]?.id, 'a0', 'the held request was answered last');
  assert.deepEqual(resultTexts(batch1[first - 1] as MapResponse), ['held:0|k|']);

  // Batch 2 on the same stream; then a batch with no request gets its EOT at once.
  const second = 200;
  for (let i = 0; i < second; i++) plane.send(`b${i}`, `n:${i}:${(i * 31) % 5000}`);
  plane.eot();
  plane.eot();
  await plane.received(first + 1 + second + 2, 'batch 2, its EOT and the empty batch');
  const batch2 = plane.responses.slice(first + 1);
  assert.deepEqual(batch2.slice(-2).map(isEot), [true, true], 'the EOT of batch 2, then that of the empty batch');
  const answers = batch2.slice(0, second);
  assert.equal(answers.some(isEot), false);
  assert.deepEqual(new Set(answers.map((response) => response.id)), new Set(Array.from({ length: second }, (_, i) => `b${i}`)));
  for (const response of answers) {
    const i = Number(response.id?.slice(1));
    assert.equal(resultTexts(response).length, i % 5 === 3 ? 2 : 1, `b${i}'s results`);
  }
});
