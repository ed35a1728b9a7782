import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { assertUsageErrors, cliFixture, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';
import { DataPlane, readServerInfo, resultTexts, startNumaflowCli } from './helpers/numaflow-data-plane.js';
import { until, within } from './helpers/wait.js';

// `tidemark serve numaflow` from the built CLI, as a Numaflow UDF container runs it:
// the test waits for the socket and the server-info file (the serving line says both
// are there), drives it as the data plane does, and stops it with SIGTERM. Held
// requests wait for a file the test creates; nothing waits on a clock.

before(requireBuiltCli);

const transform = cliFixture('numaflow/skew.js');

test('serve numaflow: socket and server-info file first, requests answered by id; SIGTERM answers what was received, ends the stream, removes the socket and exits 143', async (t) => {
  const dir = await tempDir(t);
  const release = join(dir, 'release');
  const { child, socket, output, exited } = await startNumaflowCli(t, dir, ['--concurrency', '8']);
  assert.ok(existsSync(socket), 'the socket is there once the serving line is');
  const info = await readServerInfo(join(dir, 'mapper-server-info'));
  assert.equal(info.metadata['MAP_MODE'], 'unary-map');
  assert.equal(await DataPlane.isReady(socket), true);

  const plane = await DataPlane.connect(socket);
  t.after(() => plane.close());
  // Four requests hold until `release` exists; 300 others are answered meanwhile.
  for (let i = 0; i < 4; i++) plane.send(`held${i}`, `file:${i}:${release}`, ['k']);
  for (let i = 0; i < 300; i++) plane.send(`r${i}`, `n:${i}:${(i * 131) % 3000}`, ['k']);
  await plane.received(300, 'the requests that are not held');
  const texts = new Map(plane.responses.map((response) => [response.id, resultTexts(response)]));
  assert.deepEqual(texts.get('r2'), ['out:2|k2,k|even']);
  assert.equal(texts.size, 300);

  child.kill('SIGTERM');
  await until(() => /^tidemark: SIGTERM: stopped accepting and reading; answering 4 requests on 1 stream/m.test(output.stderr), 'the stopping line', () => output);
  // Sent after the signal: not read, so not answered (the data plane sends it again on its next stream).
  plane.send('late', 'n:1:1');
  await writeFile(release, '');
  const ended = await within(plane.status, 'the stream to end');
  assert.equal(ended.code, status.UNAVAILABLE);
  assert.equal(ended.details, 'tidemark is shutting down');
  assert.deepEqual(
    plane.responses.slice(300).map((response) => response.id).sort(),
    ['held0', 'held1', 'held2', 'held3'],
    'the held requests were answered before the stream ended; the late one was not',
  );
  assert.equal(await within(exited, 'the CLI to exit'), 143, output.stderr);
  assert.equal(existsSync(socket), false, 'the socket is removed');
  assert.match(output.stderr, /^tidemark: stopped by SIGTERM$/m);
  assert.match(output.stderr, /^tidemark: MapFn stream 1 opened$/m);
});

test('serve numaflow --map-mode batch writes batch-map; a second signal exits at once with its code', async (t) => {
  const dir = await tempDir(t);
  const { child, socket, output, exited } = await startNumaflowCli(t, dir, ['--map-mode', 'batch', '--concurrency', '2']);
  assert.equal((await readServerInfo(join(dir, 'mapper-server-info'))).metadata['MAP_MODE'], 'batch-map');
  const plane = await DataPlane.connect(socket);
  t.after(() => plane.close());
  plane.send('a', 'n:0:1');
  plane.send('held', `file:1:${join(dir, 'never')}`);
  plane.eot();
  await plane.received(1, 'the request that is not held');
  child.kill('SIGINT');
  await until(() => /^tidemark: SIGINT: stopped accepting/m.test(output.stderr), 'the stopping line', () => output);
  child.kill('SIGINT');
  assert.equal(await within(exited, 'the CLI to exit'), 130, output.stderr);
  assert.match(output.stderr, /^tidemark: SIGINT again: exiting now, cutting 1 stream with 1 request unanswered$/m);
  assert.equal(existsSync(socket), false, 'the socket is removed');
});

test('bad options exit 2 with one line naming the flag; plain `serve` still needs --transforms', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'file');
  await writeFile(file, '');
  const paths = ['--socket', join(dir, 'map.sock'), '--server-info', join(dir, 'info')];
  const rows: [string[], RegExp][] = [
    [['serve', 'numaflow', ...paths], /^error: required option '--transform <module>' not specified$/],
    [['serve', 'numaflow', '--transform', transform, ...paths, '--map-mode', 'stream'], /^error: option '--map-mode <mode>' argument 'stream' is invalid/],
    [['serve', 'numaflow', '--transform', transform, ...paths, '--on-failure', 'retry'], /^error: option '--on-failure <what>' argument 'retry' is invalid/],
    [['serve', 'numaflow', '--transform', transform, ...paths, '--threads', '300'], /^tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--threads` to be an integer from 1 to 256/],
    [['serve', 'numaflow', '--transform', join(dir, 'missing.js'), ...paths], /^tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--transform` to be the path or URL of an existing module/],
    [['serve', 'numaflow', '--transform', transform, '--socket', file, '--server-info', join(dir, 'info')], /^tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--socket` to be a free path or an old socket to replace/],
    [['serve', 'numaflow', '--transform', transform, '--socket', join(dir, 'no', 'map.sock')], /^tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--socket` to be a path in an existing folder/],
    [['serve', 'numaflow', '--transform', transform, '--socket', join(dir, 'x'.repeat(120))], /^tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--socket` to be a path of 1 to 107 bytes/],
    [['serve', 'numaflow', '--transform', transform, ...paths, '--read-ahead', '0'], /^error: option '--read-ahead <n>' argument '0' is invalid/],
    [['serve'], /^error: required option '--transforms <dir>' not specified$/],
  ];
  await assertUsageErrors(rows, t);
  assert.equal(existsSync(join(dir, 'map.sock')), false, 'nothing listened');
});

test('a transform module that cannot be loaded: serving, then one line with the error, exit 2, the socket removed', async (t) => {
  const dir = await tempDir(t);
  const socket = join(dir, 'map.sock');
  const exit = await within(
    tidemark(['serve', 'numaflow', '--transform', cliFixture('cli-throw-at-load.js'), '--socket', socket, '--server-info', join(dir, 'info'), '--threads', '1'], undefined, t),
    'the CLI to exit',
  );
  assert.equal(exit.code, 2, exit.stderr);
  assert.equal(exit.stdout, `tidemark: serving unix:${socket}\n`);
  assert.match(stderrLines(exit).at(-1) ?? '', /^tidemark: ERR_TIDEMARK_TRANSFORM_LOAD: cannot load transform module .*cli-throw-at-load\.js: cannot read config\.json: line 3: unexpected token/);
  assert.equal(existsSync(socket), false, 'the socket is removed');
});
