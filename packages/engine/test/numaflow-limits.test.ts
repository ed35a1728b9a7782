import assert from 'node:assert/strict';
import { test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { DataPlane, resultTexts, serveSkew } from './helpers/numaflow-data-plane.js';
import { until, within } from './helpers/wait.js';

// What gRPC would refuse to carry is not handed to it. A status whose details
// are too long for HTTP/2's trailers wedged the client's connection: the details
// are capped, the full text goes to the log. An answer longer than maxMessageBytes
// ended the stream with RESOURCE_EXHAUSTED, which Numaflow would redrive for
// ever: it takes the onFailure path instead, as a failed message does.

const drop = '||U+005C__DROP__';

test('a transform error of 120,000 characters: the status details are capped at 4 KiB, the log has it all, and the connection serves the next stream', async (t) => {
  const lines: string[] = [];
  const server = await serveSkew(t, { retry: { attempts: 1 }, log: (line) => lines.push(line) });
  const plane = await DataPlane.connect(server.socket);
  t.after(() => plane.close());
  const length = 120_000;
  plane.send('long', `long:${length}`);
  const ended = await within(plane.status, 'the stream to end');
  assert.equal(ended.code, status.INTERNAL);
  const capped = /^(UDF_EXECUTION_ERROR\([^)]+\): request "long" on MapFn stream \d+ failed: RangeError: (y+))… \((\d+) more characters\)$/.exec(ended.details);
  assert.ok(capped !== null, ended.details.slice(0, 200));
  assert.ok(Buffer.byteLength(ended.details) <= 4096 + 32, `${Buffer.byteLength(ended.details)} bytes of details`);
  assert.equal((capped[2] as string).length + Number(capped[3]), length, 'the shown characters and the count of those left out make the message');
  const logged = lines.find((line) => line.includes('ended with INTERNAL'));
  assert.ok(logged?.endsWith(`RangeError: ${'y'.repeat(length)}`), 'the log line has the whole message');

  // The same client, so the same connection: a wedged one would never answer.
  const next = await plane.another();
  next.send('after', 'n:1:1');
  await next.received(1, 'the answer on the next stream of the same connection');
  assert.deepEqual(resultTexts(next.responses[0] ?? {}), ['out:1||']);
});

test('an answer over maxMessageBytes ends its stream with INTERNAL, saying its size; one of exactly maxMessageBytes is sent', async (t) => {
  const server = await serveSkew(t, { maxMessageBytes: 4096 });
  const plane = await DataPlane.connect(server.socket);
  t.after(() => plane.close());
  // id "fit" (5 bytes) + results (1 + 2) + value (1 + 2 + 4085): 4096 bytes encoded.
  plane.send('fit', 'big:1:4085');
  await plane.received(1, 'the answer of exactly maxMessageBytes');
  assert.equal(Buffer.from(plane.responses[0]?.results?.[0]?.value ?? []).length, 4085);
  plane.send('big', 'big:2:4086');
  const ended = await within(plane.status, 'the stream to end');
  assert.equal(ended.code, status.INTERNAL, ended.details);
  assert.match(ended.details, /^UDF_EXECUTION_ERROR\([^)]+\): request "big" on MapFn stream \d+ failed: its answer of 4097 bytes is over maxMessageBytes \(--max-message-bytes\), 4096$/);
  assert.equal(plane.responses.length, 1);
});

test("onFailure 'drop': an answer over maxMessageBytes becomes a DROP message, logged, and the stream goes on", async (t) => {
  const lines: string[] = [];
  const server = await serveSkew(t, { maxMessageBytes: 4096, onFailure: 'drop', log: (line) => lines.push(line) });
  const plane = await DataPlane.connect(server.socket);
  t.after(() => plane.close());
  plane.send('big', 'big:1:100000');
  plane.send('fine', 'n:0:1');
  await plane.received(2);
  const byId = new Map(plane.responses.map((response) => [response.id, resultTexts(response)]));
  assert.deepEqual(byId.get('big'), [drop]);
  assert.deepEqual(byId.get('fine'), ['out:0||']);
  assert.ok(
    lines.some((line) => /request "big" on MapFn stream \d+ failed, answered with a DROP message \(--on-failure drop\): its answer of 100\d{3} bytes is over maxMessageBytes/.test(line)),
    lines.join('\n'),
  );
});

test('a request over maxMessageBytes: gRPC ends the stream with RESOURCE_EXHAUSTED, and the log does not blame the client', async (t) => {
  const lines: string[] = [];
  const server = await serveSkew(t, { maxMessageBytes: 4096, log: (line) => lines.push(line) });
  const plane = await DataPlane.connect(server.socket);
  t.after(() => plane.close());
  plane.send('huge', 'x'.repeat(10_000));
  const ended = await within(plane.status, 'the stream to end');
  assert.equal(ended.code, status.RESOURCE_EXHAUSTED);
  await until(() => lines.some((line) => /^tidemark: MapFn stream \d+ cancelled/.test(line)), 'the log line of the end', () => lines);
  assert.ok(lines.some((line) => /^tidemark: MapFn stream \d+ cancelled: by the client, or by gRPC \(a request over maxMessageBytes\)$/.test(line)), lines.join('\n'));
});
