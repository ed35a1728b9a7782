import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { lstat, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { serveNumaflowMap } from '../src/numaflow/index.js';
import type { NumaflowMapServer } from '../src/numaflow/index.js';
import { tempDir } from './helpers/cli.js';
import { DataPlane, resultTexts, skewTransform } from './helpers/numaflow-data-plane.js';
import { within } from './helpers/wait.js';

// Where the socket ends up, and whose it is when the server closes.

/** A server on `socket` (as given) with its server-info file in `dir`, closed after the test. */
async function serve(t: { after(fn: () => unknown): void }, socket: string, dir: string, info = 'mapper-server-info'): Promise<NumaflowMapServer> {
  const server = await serveNumaflowMap({ transform: skewTransform, socket, serverInfo: join(dir, info), threads: 1 });
  t.after(() => within(server.close(), 'the server to close'));
  return server;
}

/** One request answered through `socket`. */
async function answers(socket: string): Promise<void> {
  const plane = await DataPlane.connect(socket);
  try {
    plane.send('x', 'n:1:1');
    await plane.received(1);
    assert.deepEqual(resultTexts(plane.responses[0] ?? {}), ['out:1||']);
  } finally {
    plane.close();
  }
}

test("a second server on the same path takes it over; closing the first leaves the second's socket, closing the second removes it", async (t) => {
  const dir = await tempDir(t, 'tidemark-numaflow-');
  const socket = join(dir, 'map.sock');
  const first = await serve(t, socket, dir, 'info-1');
  const second = await serve(t, socket, dir, 'info-2');
  await within(first.close(), 'the first server to close');
  assert.ok((await lstat(socket)).isSocket(), "the second server's socket is still there");
  await answers(socket);
  await within(second.close(), 'the second server to close');
  assert.equal(existsSync(socket), false, 'the socket is removed');
});

test('a socket path with a leading // or relative to the working folder is served where it resolves to, and named so', async (t) => {
  const dir = await tempDir(t, 'tidemark-numaflow-');
  const slashes = await serve(t, `/${join(dir, 'slashes.sock')}`, dir, 'info-1');
  assert.equal(slashes.socket, join(dir, 'slashes.sock'));
  assert.ok((await lstat(slashes.socket)).isSocket());
  await answers(slashes.socket);
  const relativePath = relative(process.cwd(), join(dir, 'relative.sock'));
  assert.ok(!relativePath.startsWith('/'), relativePath);
  const relativeServer = await serve(t, relativePath, dir, 'info-2');
  assert.equal(relativeServer.socket, join(dir, 'relative.sock'));
  assert.equal(relativeServer.serverInfo, join(dir, 'info-2'));
  await answers(relativeServer.socket);
});

test('a socket path of 107 bytes whose folder leaves no room for a private name beside it is still served', async (t) => {
  const dir = await tempDir(t, 'tidemark-numaflow-');
  const folder = join(dir, 'd'.repeat(105 - dir.length - 1));
  await mkdir(folder);
  const socket = join(folder, 'm');
  assert.equal(Buffer.byteLength(socket), 107);
  const server = await serve(t, socket, dir);
  await answers(server.socket);
  await within(server.close(), 'the server to close');
  assert.equal(existsSync(socket), false, 'the socket is removed');
});
