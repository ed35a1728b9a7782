import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { assertUsageErrors, cliFixture, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';
import { DataPlane, startNumaflowCli } from './helpers/numaflow-data-plane.js';
import { until, within } from './helpers/wait.js';

// Which command a flag of `tidemark serve numaflow` reaches, and which flag a
// failure to start is blamed on. `serve` has flags of its own (--listen,
// --shutdown-timeout, …): after `numaflow` every flag is the subcommand's, and a
// flag of `serve` around `numaflow` is refused rather than dropped.

before(requireBuiltCli);

const transform = cliFixture('numaflow/skew.js');

test('serve numaflow --shutdown-timeout is its own: the stopping line names it, and past it a held request is cut and the CLI exits 1', async (t) => {
  const dir = await tempDir(t);
  const { child, output, exited } = await startNumaflowCli(t, dir, ['--shutdown-timeout', '300']);
  const plane = await DataPlane.connect(join(dir, 'map.sock'));
  t.after(() => plane.close());
  plane.send('held', `file:1:${join(dir, 'never')}`);
  plane.send('quick', 'n:1:1');
  await plane.received(1, 'the request that is not held');
  child.kill('SIGTERM');
  await until(() => /^tidemark: SIGTERM: stopped accepting/m.test(output.stderr), 'the stopping line', () => output);
  assert.match(output.stderr, /^tidemark: SIGTERM: stopped accepting and reading; answering 1 request on 1 stream within 300 ms \(--shutdown-timeout; SIGTERM again to exit at once\)$/m);
  // The file is never created: only the timeout ends the wait (the default, 10 s, would say 10000).
  assert.equal(await within(exited, 'the CLI to exit'), 1, output.stderr);
  assert.match(output.stderr, /^tidemark: shutdown timed out after 300 ms: exiting, cutting 1 stream with 1 request unanswered$/m);
  assert.notEqual((await within(plane.status, 'the stream to end')).code, status.OK);
});

test("a flag of `serve` placed around `numaflow` is refused (exit 2) rather than taken by `serve` and ignored", async (t) => {
  const dir = await tempDir(t);
  const paths = ['--transform', transform, '--socket', join(dir, 'map.sock'), '--server-info', join(dir, 'info')];
  const rows: [string[], RegExp][] = [
    [['serve', 'numaflow', ...paths, '--listen', '127.0.0.1:0'], /^error: unknown option '--listen'/],
    [['serve', 'numaflow', ...paths, '--heartbeat', '5'], /^error: unknown option '--heartbeat'/],
    [['serve', 'numaflow', ...paths, '--token', 'x'], /^error: unknown option '--token'/],
    [['serve', 'numaflow', ...paths, '--max-frame-bytes', '4096'], /^error: unknown option '--max-frame-bytes'/],
    [['serve', '--listen', '127.0.0.1:0', 'numaflow', ...paths], /^error: --listen is a flag of `tidemark serve`, not of `tidemark serve numaflow`: give the subcommand's flags after `numaflow`$/],
    [['serve', '--shutdown-timeout', '300', 'numaflow', ...paths], /^error: --shutdown-timeout is a flag of `tidemark serve`, not of `tidemark serve numaflow`/],
  ];
  await assertUsageErrors(rows, t);
  assert.equal(existsSync(join(dir, 'map.sock')), false, 'nothing listened');
});

test('a failure to start names the flag of the step that failed: binding the socket, writing the server-info file', async (t) => {
  const dir = await tempDir(t);
  // /proc takes no new files, not even from root: the bind fails with EACCES, the write with ENOENT.
  const rows: [string[], RegExp][] = [
    [['--socket', '/proc/map.sock', '--server-info', join(dir, 'info')], /^tidemark: --socket: cannot listen on \/proc\/map\.sock: permission denied \(EACCES\)$/],
    [['--socket', join(dir, 'map.sock'), '--server-info', '/proc/info'], /^tidemark: --server-info: cannot write \/proc\/info: no such file or directory \(ENOENT\)$/],
    [['--socket', join(dir, 'same'), '--server-info', `${dir}//same`], /^tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--server-info` to be a path other than the socket's/],
  ];
  for (const [args, expected] of rows) {
    const all = ['serve', 'numaflow', '--transform', transform, '--threads', '1', ...args];
    const exit = await within(tidemark(all, undefined, t), `tidemark ${all.join(' ')}`);
    assert.equal(exit.code, 2, `${all.join(' ')}: ${exit.stderr}`);
    assert.match(stderrLines(exit)[0] ?? '', expected, all.join(' '));
    assert.equal(exit.stdout, '');
    assert.equal(existsSync(join(dir, 'map.sock')), false, `${args.join(' ')}: the socket is removed`);
  }
});
