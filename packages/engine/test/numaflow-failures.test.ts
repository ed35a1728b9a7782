import assert from 'node:assert/strict';
import { test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { TransformLoadError } from '../src/index.js';
import { DataPlane, HoldChannel, resultTexts, serveSkew } from './helpers/numaflow-data-plane.js';
import { within } from './helpers/wait.js';

// A message whose transform fails for good. As the SDKs do when a handler throws, the
// stream ends with INTERNAL and `UDF_EXECUTION_ERROR(<container>): …`: Numaflow's data
// plane takes that as a UDF failure (not a transport one), stops the vertex and delivers
// the unacked messages again. With onFailure 'drop' the message is answered with a DROP.

test("a transform that throws on every try ends its stream with INTERNAL and UDF_EXECUTION_ERROR; the server serves the next stream", async (t) => {
  const server = await serveSkew(t, { retry: { attempts: 2, backoff: { initial: 0 } } });
  const plane = await DataPlane.connect(server.socket);
  t.after(() => plane.close());
  plane.send('ok', 'n:1:10');
  await plane.received(1);
  plane.send('boom', 'throw:7');
  const ended = await within(plane.status, 'the stream to end');
  assert.equal(ended.code, status.INTERNAL);
  assert.match(ended.details, /^UDF_EXECUTION_ERROR\([^)]+\): request "boom" on MapFn stream \d+ failed: RangeError: failing 7 on try 2$/);
  assert.equal(server.engine.stats?.failed, 1);

  const next = await DataPlane.connect(server.socket);
  t.after(() => next.close());
  next.send('again', 'n:2:10', ['k']);
  await next.received(1);
  assert.deepEqual(resultTexts(next.responses[0] ?? {}), ['out:2|k2,k|even']);
});

test('an output that is not a Numaflow message (a number) fails the same way, saying what it got', async (t) => {
  const server = await serveSkew(t);
  const plane = await DataPlane.connect(server.socket);
  t.after(() => plane.close());
  plane.send('bad', 'bad:1');
  const ended = await within(plane.status, 'the stream to end');
  assert.equal(ended.code, status.INTERNAL);
  assert.match(ended.details, /request "bad" on MapFn stream \d+ failed: the transform's output is not a Numaflow message: expected bytes .*, got `42` \(number\)$/);
});

test("onFailure 'drop': a failed message is answered with a DROP message, logged, and the stream goes on", async (t) => {
  const lines: string[] = [];
  const server = await serveSkew(t, { onFailure: 'drop', retry: { attempts: 1 }, log: (line) => lines.push(line) });
  const plane = await DataPlane.connect(server.socket);
  t.after(() => plane.close());
  plane.send('boom', 'throw:3');
  plane.send('bad', 'bad:4');
  plane.send('fine', 'n:0:10');
  await plane.received(3);
  const byId = new Map(plane.responses.map((response) => [response.id, resultTexts(response)]));
  assert.deepEqual(byId.get('boom'), ['||U+005C__DROP__']);
  assert.deepEqual(byId.get('bad'), ['||U+005C__DROP__']);
  assert.deepEqual(byId.get('fine'), ['out:0||']);
  assert.equal(lines.filter((line) => / failed, answered with a DROP message \(--on-failure drop\): /.test(line)).length, 2, lines.join('\n'));
});

test('a transform module that cannot be loaded: the open streams end with INTERNAL and `closed` rejects with TransformLoadError', async (t) => {
  const holds = new HoldChannel();
  t.after(() => {
    holds.release('load');
    holds.close();
  });
  const server = await serveSkew(t, { transform: new URL('./fixtures/numaflow/throw-at-load-when-released.js', import.meta.url) });
  // The handshake needs no worker: the stream is open while the module still loads.
  const plane = await DataPlane.connect(server.socket);
  t.after(() => plane.close());
  plane.send('waits', 'n:1:1');
  await holds.started('load', 1);
  holds.release('load');
  await assert.rejects(within(server.closed, 'the server to stop'), TransformLoadError);
  const ended = await within(plane.status, 'the stream to end');
  assert.equal(ended.code, status.INTERNAL);
  assert.match(ended.details, /^UDF_EXECUTION_ERROR\([^)]+\): TransformLoadError: .*cannot load: the test released it to fail/);
  assert.equal(plane.responses.length, 0);
});
