import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { InvalidOptionError } from '../src/index.js';
import { defaultServerInfo, defaultSockets, serveNumaflowMap, serverInfoEnd } from '../src/numaflow/index.js';
import type { NumaflowMapOptions } from '../src/numaflow/index.js';
import { resolveNumaflowOptions } from '../src/numaflow/numaflow-options.js';
import { tempDir } from './helpers/cli.js';
import { DataPlane, readServerInfo, resultTexts, serveSkew, skewTransform } from './helpers/numaflow-data-plane.js';
import { within } from './helpers/wait.js';

test('the server-info file, read as the data plane reads it: the SDKs\' JSON (MAP_MODE, minimum version) then the end marker', async (t) => {
  for (const mapMode of ['unary', 'batch'] as const) {
    const server = await serveSkew(t, { mapMode });
    const text = await readFile(server.serverInfo, 'utf8');
    assert.ok(text.endsWith('U+005C__END__') && serverInfoEnd === 'U+005C__END__');
    const info = await readServerInfo(server.serverInfo);
    assert.deepEqual(Object.keys(info), ['protocol', 'language', 'minimum_numaflow_version', 'version', 'metadata'], 'the fields as the SDKs write them');
    assert.equal(info.protocol, 'uds');
    assert.equal(info.minimum_numaflow_version, '1.4.0-z');
    // An empty version makes Numaflow skip its SDK version check for a language it does not know.
    assert.equal(info.version, '');
    assert.equal(info.language, 'javascript');
    assert.equal(info.metadata['MAP_MODE'], mapMode === 'unary' ? 'unary-map' : 'batch-map');
    assert.match(info.metadata['TIDEMARK_VERSION'] ?? '', /^\d+\.\d+\.\d+/);
  }
});

test('defaults are Numaflow\'s paths: map.sock for unary map, batchmap.sock for batch map (where the data plane connects for each MAP_MODE)', () => {
  const unary = resolveNumaflowOptions({ transform: skewTransform });
  assert.equal(unary.socket, '/var/run/numaflow/map.sock');
  assert.equal(unary.serverInfo, '/var/run/numaflow/mapper-server-info');
  assert.equal(defaultServerInfo, '/var/run/numaflow/mapper-server-info');
  assert.equal(resolveNumaflowOptions({ transform: skewTransform, mapMode: 'batch' }).socket, '/var/run/numaflow/batchmap.sock');
  assert.deepEqual(defaultSockets, { unary: '/var/run/numaflow/map.sock', batch: '/var/run/numaflow/batchmap.sock' });
  assert.equal(unary.onFailure, 'error');
  assert.equal(unary.maxMessageBytes, 64 * 2 ** 20);
});

test('an old socket and an old server-info file are replaced; closing removes the socket and leaves the server-info file, as the SDKs do', async (t) => {
  const dir = await tempDir(t, 'tidemark-numaflow-');
  const socket = join(dir, 'map.sock');
  const serverInfo = join(dir, 'mapper-server-info');
  // A socket left by a server that died: its file is still there, nothing listens.
  const dead = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socket)}, () => console.log('up'))`]);
  await within(new Promise((resolve) => dead.stdout.once('data', resolve)), 'the old server to listen');
  dead.kill('SIGKILL');
  await within(new Promise((resolve) => dead.once('exit', resolve)), 'the old server to die');
  assert.ok((await lstat(socket)).isSocket(), 'its socket is left behind');
  await writeFile(serverInfo, '{"stale": true}U+005C__END__');
  const server = await serveNumaflowMap({ transform: skewTransform, socket, serverInfo, threads: 1 });
  t.after(() => server.close());
  assert.equal((await readServerInfo(serverInfo)).metadata['MAP_MODE'], 'unary-map');
  const plane = await DataPlane.connect(socket);
  plane.send('x', 'n:0:1');
  await plane.received(1);
  assert.deepEqual(resultTexts(plane.responses[0] ?? {}), ['out:0||']);
  plane.end();
  await within(plane.status, 'the stream to end');
  plane.close();
  await within(server.close(), 'the server to close');
  assert.equal(existsSync(socket), false, 'the socket is removed');
  assert.equal(existsSync(serverInfo), true, 'the server-info file is left');
});

test('bad options throw InvalidOptionError naming the option before anything listens', async (t) => {
  const dir = await tempDir(t, 'tidemark-numaflow-');
  const file = join(dir, 'file');
  await writeFile(file, '');
  await mkdir(join(dir, 'folder'));
  const base = { transform: skewTransform, socket: join(dir, 'map.sock'), serverInfo: join(dir, 'info') };
  const rows: [string, Partial<NumaflowMapOptions> & Record<string, unknown>, string, RegExp][] = [
    ['a socket path over 107 bytes', { socket: join(dir, 'x'.repeat(120)) }, 'socket', /a path of 1 to 107 bytes/],
    ['an empty socket path', { socket: '' }, 'socket', /a path of 1 to 107 bytes/],
    ['a socket path holding a file', { socket: file }, 'socket', /a free path or an old socket to replace \(this path holds something else\)/],
    ['a socket path holding a folder', { socket: join(dir, 'folder') }, 'socket', /a free path or an old socket/],
    ['a socket in a folder that does not exist', { socket: join(dir, 'none', 'map.sock') }, 'socket', /a path in an existing folder/],
    ['a server-info file in a folder that does not exist', { serverInfo: join(dir, 'none', 'info') }, 'serverInfo', /a path in an existing folder/],
    ["a server-info file at the socket's path", { serverInfo: join(dir, 'map.sock') }, 'serverInfo', /a path other than the socket's/],
    ["a server-info file at the socket's path, spelled otherwise", { serverInfo: `${dir}/./map.sock` }, 'serverInfo', /a path other than the socket's/],
    ["mapMode 'stream'", { mapMode: 'stream' as 'unary' }, 'mapMode', /'unary' or 'batch'/],
    ["onFailure 'retry'", { onFailure: 'retry' as 'drop' }, 'onFailure', /'error' or 'drop'/],
    ['maxMessageBytes 10', { maxMessageBytes: 10 }, 'maxMessageBytes', /an integer from 1024/],
    ['readAhead 0', { readAhead: 0 }, 'readAhead', /an integer from 1/],
    ['a reduce', { reduce: skewTransform.href }, 'reduce', /a Numaflow map serves a transform/],
    ["log 'stderr'", { log: 'stderr' as unknown as () => void }, 'log', /a function/],
    ['threads 0 (the engine\'s own check)', { threads: 0 }, 'threads', /an integer from 1 to 256/],
    ['no transform module', { transform: join(dir, 'missing.js') }, 'transform', /an existing module/],
  ];
  for (const [what, options, option, expected] of rows) {
    await assert.rejects(
      serveNumaflowMap({ ...base, ...options }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidOptionError, `${what}: ${String(error)}`);
        assert.equal(error.code, 'ERR_TIDEMARK_INVALID_OPTION');
        assert.equal(error.option, option, what);
        assert.match(error.message, expected, what);
        return true;
      },
      what,
    );
    assert.equal(existsSync(base.socket), false, `${what}: nothing listens`);
  }
});
