import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { DataPlane, HoldChannel, serveSkew } from './helpers/numaflow-data-plane.js';
import { until, within } from './helpers/wait.js';

// Stopping the server from a program: terminate() does not wait for the engine
// (a transform that never settles would hold it for ever), and close() ends the
// streams once what they sent is answered.

test('terminate() with a request whose transform never settles: `closed` and close() resolve at once, the stream is cut, the socket removed', async (t) => {
  const lines: string[] = [];
  const server = await serveSkew(t, { log: (line) => lines.push(line) });
  const holds = new HoldChannel();
  // Released only after the test: until then the transform does not settle.
  t.after(() => {
    holds.release('stuck');
    holds.close();
  });
  const plane = await DataPlane.connect(server.socket);
  t.after(() => plane.close());
  plane.send('stuck', 'hold:stuck:0');
  await holds.started('stuck', 1);
  server.terminate();
  await within(server.closed, '`closed` to resolve after terminate()');
  await within(server.close(), 'close() to resolve after terminate()');
  const ended = await within(plane.status, 'the stream to be cut');
  assert.notEqual(ended.code, status.OK);
  assert.equal(existsSync(server.socket), false, 'the socket is removed');
  await until(() => lines.some((line) => /^tidemark: MapFn stream 1 cut: the server was terminated$/.test(line)), 'the log line of the cut stream', () => lines);
  server.terminate(); // idempotent
});

test('close(): the socket goes first (no new connection), then what was received is answered and the streams end with UNAVAILABLE', async (t) => {
  const server = await serveSkew(t);
  const holds = new HoldChannel();
  t.after(() => {
    holds.release('closing');
    holds.close();
  });
  const plane = await DataPlane.connect(server.socket);
  t.after(() => plane.close());
  plane.send('held', 'hold:closing:0');
  await holds.started('closing', 1);
  const closing = server.close();
  assert.equal(existsSync(server.socket), false, 'the socket is removed as close() begins');
  await assert.rejects(DataPlane.isReady(server.socket), 'a new connection is refused');
  holds.release('closing');
  await within(closing, 'the server to close');
  const ended = await within(plane.status, 'the stream to end');
  assert.equal(ended.code, status.UNAVAILABLE);
  assert.deepEqual(plane.responses.map((response) => response.id), ['held']);
});
