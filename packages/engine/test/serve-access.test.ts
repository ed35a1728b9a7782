import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { listTransforms, webSocketEndpoint } from '../src/client/index.js';
import { allLimited, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';
import { checkRecord, collect, connect, openSocket, range, refusedUpgrade, skewed, transform } from './helpers/serve-host.js';
import { ServeSession } from './helpers/serve-session.js';
import { within } from './helpers/wait.js';

// Who may connect to `tidemark serve`, and what it refuses to start with:
// the Origin rule without a token, the token, loopback only without one,
// and the usage errors (exit 2, one line, nothing on stdout).

let shared: ServeSession;
before(async () => {
  requireBuiltCli();
  shared = await ServeSession.start(undefined);
});
after(() => shared.kill());

test('the live page is on the same port and other HTTP requests get 404; a browser page of another origin cannot connect without a token (403), the server own origin can', async () => {
  const page = await fetch(`${shared.origin}/`);
  assert.equal(page.status, 200, 'the live page on the same port');
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  await page.body?.cancel();
  const response = await fetch(`${shared.origin}/no-such-page-node-host`);
  assert.equal(response.status, 404);
  await response.body?.cancel();

  for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${Number(new URL(shared.url).port) + 1}`, `https://${new URL(shared.url).host}`]) {
    const refused = await refusedUpgrade(shared.url, { origin });
    assert.equal(refused.status, 403, origin);
    assert.match(refused.body, /another origin/, origin);
  }
  await shared.until(() => /^tidemark: refused a connection from 127\.0\.0\.1:\d+: 403, /m.test(shared.stderr), 'the refused line');

  const port = new URL(shared.url).port;
  for (const origin of [shared.origin, `http://localhost:${port}`, `http://LOCALHOST:${port}/`]) {
    const modules = await listTransforms(webSocketEndpoint(await openSocket(shared.url, { origin })));
    assert.ok(modules.includes(transform), `${origin}: ${modules.join(', ')}`);
  }
});

test('--token: an upgrade without it or with a wrong one is refused (401, no connection); with it, as ?token= or a Bearer header, the host runs', async (t) => {
  const serve = await ServeSession.start(t, ['--token', 's3cret=+/']);
  for (const url of [serve.url, `${serve.url}/?token=wrong`, `${serve.url}/?token=s3cret`, `${serve.url}/?token=`]) {
    const refused = await refusedUpgrade(url);
    assert.equal(refused.status, 401, url);
  }
  const bearer = await refusedUpgrade(serve.url, { headers: { Authorization: 'Bearer wrong' } });
  assert.equal(bearer.status, 401);
  assert.equal(/connection \d+ opened/.test(serve.stderr), false, 'no connection was made');

  const withToken = `${serve.url}/?token=${encodeURIComponent('s3cret=+/')}`;
  const engine = await connect(withToken, { transform, threads: 1 });
  try {
    const seen = await collect(engine.process<{ id: number; square: number }>(skewed(100)));
    for (const id of range(100)) checkRecord(seen.get(id), id);
  } finally {
    await engine.close();
  }
  // With a token, a page of any origin that has it may connect.
  const headers = { Authorization: 'Bearer s3cret=+/' };
  assert.ok((await listTransforms(webSocketEndpoint(await openSocket(serve.url, { headers, origin: 'http://elsewhere.example' })))).includes(transform));

  // A server with nothing running stops at once on SIGTERM.
  serve.signal('SIGTERM');
  assert.deepEqual(await serve.exit(), { code: 143, signal: null });
  assert.equal(serve.lines.at(-1), 'tidemark: stopped by SIGTERM');
});

test('usage errors exit 2 with one line: beyond loopback without --token, --transforms missing or not a folder, bad --listen, --max-frame-bytes, --token, a port in use', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'file.mjs');
  await writeFile(file, 'export default (v) => v;\n');
  const cases: [string[], RegExp][] = [
    [['--listen', '0.0.0.0:0', '--transforms', dir], /^tidemark: --listen: 0\.0\.0\.0 is not a loopback address, and serving beyond this machine needs --token/],
    [['--listen', '[::]:0', '--transforms', dir], /^tidemark: --listen: :: is not a loopback address/],
    [['--transforms', join(dir, 'missing')], /^tidemark: --transforms: no such folder: .*missing$/],
    [['--transforms', file], /^tidemark: --transforms: not a folder: .*file\.mjs$/],
    [[], /required option '--transforms <dir>' not specified/],
    [['--transforms', dir, '--listen', 'localhost'], /--listen <address>' argument 'localhost' is invalid\. expected HOST:PORT, \[IPV6\]:PORT or PORT/],
    [['--transforms', dir, '--listen', '127.0.0.1:70000'], /--listen <address>' argument '127\.0\.0\.1:70000' is invalid/],
    [['--transforms', dir, '--max-frame-bytes', '10'], /--max-frame-bytes <n>' argument '10' is invalid\. expected an integer from 1024 to \d+/],
    [['--transforms', dir, '--token', ''], /^tidemark: --token: expected a token, got ""$/],
    [['--transforms', dir, '--listen', `127.0.0.1:${new URL(shared.url).port}`], /^tidemark: --listen: cannot listen on 127\.0\.0\.1:\d+: the port is already in use \(EADDRINUSE\)$/],
  ];
  // Independent processes, each refused before it serves: started a few at a time, checked in order.
  const exits = await allLimited(cases.map(([args]) => () => within(tidemark(['serve', ...args], undefined, t), `tidemark serve ${args.join(' ')} to exit`)));
  for (const [i, [args, expected]] of cases.entries()) {
    const exit = exits[i]!;
    assert.equal(exit.code, 2, `${args.join(' ')}: ${exit.stderr}`);
    assert.equal(exit.stdout, '', 'nothing on stdout: no serving line');
    assert.equal(stderrLines(exit).length, commanderLines(exit.stderr), exit.stderr);
    assert.match(stderrLines(exit)[0] ?? '', expected);
  }
});

/** commander's usage errors add its help hint as a second line. */
const commanderLines = (stderr: string): number => (stderr.startsWith('error:') ? 2 : 1);
