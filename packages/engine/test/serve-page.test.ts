import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { cli, packageDir, requireBuiltCli } from './helpers/cli.js';
import { openInChromium } from './helpers/chromium.js';
import { WAIT_LIMIT_MS, within } from './helpers/wait.js';

// The live page of `tidemark serve`, driven in Debian's Chromium as a user
// would: choose a transform, start a run, watch it, stop it. Every wait is
// on the page's DOM (a figure's next frame, a state), bounded, never a sleep.
// The runs' transform awaits each message's `ms`, so a run of 3,000 messages
// of 20 ms on average at concurrency 16 takes at least 3.75 s whatever the
// machine: many of the page's 250 ms frames.

const SCREENSHOT = '/tmp/tidemark-live-page.png';

/** Start the built `tidemark serve` on a free loopback port; its page's http:// URL. */
async function serve(t: TestContext, extra: readonly string[] = []): Promise<string> {
  requireBuiltCli();
  const env = { ...process.env };
  delete env.TIDEMARK_TOKEN;
  const child = spawn(process.execPath, [cli, 'serve', '--listen', '127.0.0.1:0', '--transforms', 'test/fixtures/serve', ...extra], { cwd: packageDir, env });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  t.after(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await within(exited, `tidemark serve to exit on SIGTERM; stderr:\n${stderr}`).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
  });
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const served = /^tidemark: serving ws:\/\/(\S+)\n/.exec(stdout);
      if (served !== null) resolve(`http://${served[1]}`);
    });
    void exited.then(() => reject(new Error(`tidemark serve exited before it served; stderr:\n${stderr}`)));
  });
  return within(url, `tidemark serve's first line; stdout so far:\n${stdout}`);
}

/** The page, opened in Chromium, with every request, WebSocket, page error and console error it made. */
async function openPage(t: TestContext, url: string) {
  const opened = await openInChromium(t, 'about:blank');
  const sockets: string[] = [];
  const consoleErrors: string[] = [];
  opened.page.on('websocket', (socket) => sockets.push(socket.url()));
  opened.page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await opened.page.goto(url, { waitUntil: 'load' });
  return { ...opened, sockets, consoleErrors };
}

/** The page's figures (their `data-value`s) and state, read at once. */
interface Figures {
  state: string;
  text: string;
  error: string;
  elapsed: number | null;
  throughput: number | null;
  processing: number | null;
  processingText: string;
  inFlight: number | null;
  lag: number | null;
  done: number | null;
  failed: number | null;
  records: number | null;
}

const FIGURES = `(() => {
  const byId = (id) => document.getElementById(id);
  const value = (id) => { const v = byId(id).dataset.value; return v === undefined ? null : Number(v); };
  return {
    state: byId('live').dataset.state, text: byId('state-text').textContent, error: byId('error').textContent,
    elapsed: value('elapsed'), throughput: value('throughput'), processing: value('processing'),
    processingText: byId('processing').textContent, inFlight: value('in-flight'), lag: value('lag'),
    done: value('done'), failed: value('failed'), records: value('records'),
  };
})()`;

const figures = (page: Page): Promise<Figures> => page.evaluate<Figures>(FIGURES);

/** Wait until `selector` matches, failing with `what` and the page's state. */
async function waitFor(page: Page, selector: string, what: string, ms = WAIT_LIMIT_MS): Promise<void> {
  try {
    await page.locator(selector).first().waitFor({ timeout: ms });
  } catch (error) {
    const seen = await figures(page).catch(() => undefined);
    throw new Error(`still waiting after ${ms} ms for ${what}; the page: ${JSON.stringify(seen)}`, { cause: error });
  }
}

async function startRun(page: Page, settings: { count: number; concurrency: number; meanMs: number; threads?: number; transform?: string }): Promise<void> {
  await page.locator('#transform').selectOption(settings.transform ?? 'page-skewed.mjs');
  await page.locator('#count').fill(String(settings.count));
  await page.locator('#concurrency').fill(String(settings.concurrency));
  await page.locator('#threads').fill(settings.threads === undefined ? '' : String(settings.threads));
  await page.locator('#mean-ms').fill(String(settings.meanMs));
  await page.locator('#seed').fill('7');
  await page.locator('#start').click();
}

test('the live page lists the served transforms, runs one from the browser with its figures moving, and finishes with every message counted', async (t) => {
  const url = await serve(t);
  const { page, requests, errors, sockets, consoleErrors } = await openPage(t, url);

  await waitFor(page, '#live[data-state="ready"]', 'the page to list the transforms');
  const names = await page.locator('#transform option').allTextContents();
  assert.ok(names.includes('page-skewed.mjs') && names.includes('hosts-skewed.mjs'), `the served transforms are listed: ${JSON.stringify(names)}`);
  assert.equal(await page.locator('#transform').inputValue(), 'page-skewed.mjs', 'the demo transform is chosen first');

  const count = 3000;
  const concurrency = 16;
  await startRun(page, { count, concurrency, meanMs: 20 });

  // Watch frame after frame while the run is on.
  const throughputs = new Set<number>();
  const inFlight: number[] = [];
  const lags: number[] = [];
  const done: number[] = [];
  let shot = false;
  let seen = await figures(page);
  for (;;) {
    if (seen.state === 'running') {
      if (seen.throughput !== null && seen.throughput > 0) throughputs.add(seen.throughput);
      if (seen.processing !== null) inFlight.push(seen.processing);
      if (seen.lag !== null) lags.push(seen.lag);
      if (seen.done !== null) done.push(seen.done);
      assert.match(seen.processingText, new RegExp(`^\\d+ / ${concurrency}$`), 'in flight is shown against the concurrency target');
      if (!shot && (seen.done ?? 0) >= count / 3 && throughputs.size >= 2) {
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        t.diagnostic(`screenshot mid-run: ${SCREENSHOT}`);
        console.log(`serve-page: screenshot mid-run at ${SCREENSHOT}`);
        shot = true;
      }
    }
    if (seen.state !== 'connecting' && seen.state !== 'running') break;
    const frame = seen.elapsed === null ? '#elapsed[data-value]' : `#elapsed:not([data-value="${seen.elapsed}"])`;
    await waitFor(page, `${frame}, #live:not([data-state="running"]):not([data-state="connecting"])`, 'the next frame of the run');
    seen = await figures(page);
  }

  assert.equal(seen.state, 'done', `the run finished: ${seen.text} ${seen.error}`);
  assert.equal(seen.done, count, 'every message came back');
  assert.equal(seen.records, count, 'one record per message');
  assert.equal(seen.failed, 0);
  assert.match(seen.text, new RegExp(`^Done: 3,000 of 3,000 messages through page-skewed\\.mjs in [\\d.]+ s \\(\\d[\\d,]* msg/s\\), none failed\\.$`));
  assert.equal(seen.processing, 0, 'nothing is in flight at the end');
  assert.ok(shot, `a mid-run frame was seen (throughputs ${[...throughputs].join(', ')}, done ${done.join(', ')})`);

  assert.ok(throughputs.size >= 3, `the throughput moved: ${[...throughputs].join(', ')}`);
  assert.ok(inFlight.some((value) => value > 0 && value <= concurrency), `messages were in flight, at most the target: ${inFlight.join(', ')}`);
  assert.ok(lags.length > 0 && lags.every((lag) => lag >= 0), `the watermark lag was shown: ${lags.join(', ')}`);
  assert.ok(done.every((value, index) => index === 0 || value >= done[index - 1]!), `done never went back: ${done.join(', ')}`);
  assert.ok(done.some((value) => value > 0 && value < count), `done was seen part way: ${done.join(', ')}`);
  for (const series of ['throughput', 'processing', 'lag']) {
    assert.notEqual(await page.locator(`polyline[data-series="${series}"]`).getAttribute('points'), '', `the ${series} sparkline is drawn`);
  }

  const origin = new URL(url);
  const others = requests.filter((request) => request !== 'about:blank' && new URL(request).origin !== origin.origin);
  assert.deepEqual(others, [], 'the page fetches nothing from another origin');
  assert.ok(requests.includes(`${url}/tidemark-client.js`), `the page loads the bundled client from the server: ${requests.join(', ')}`);
  assert.ok(sockets.length >= 2 && sockets.every((socket) => new URL(socket).host === origin.host), `WebSockets to the server only: ${sockets.join(', ')}`);
  assert.deepEqual(errors, []);
  assert.deepEqual(consoleErrors, []);
});

test('Stop on the live page aborts the run: what was in flight comes back and the run says it stopped', async (t) => {
  const url = await serve(t);
  const { page, errors, consoleErrors } = await openPage(t, url);
  await waitFor(page, '#live[data-state="ready"]', 'the page to list the transforms');

  const count = 200_000; // at 20 ms per message and 16 at a time, far longer than the test waits
  await startRun(page, { count, concurrency: 16, meanMs: 20 });
  await waitFor(page, '#live[data-state="running"] #done:not([data-value="0"])', 'the first messages to come back');
  await page.locator('#stop').click();
  await waitFor(page, '#live[data-state="stopped"]', 'the run to stop');

  const seen = await figures(page);
  assert.ok(seen.done !== null && seen.done > 0 && seen.done < count, `part of the run came back: ${seen.done}`);
  assert.equal(seen.records, seen.done);
  assert.match(seen.text, /^Stopped: [\d,]+ of 200,000 messages back in [\d.]+ s, none failed\.$/);
  assert.equal(await page.locator('#stop').isDisabled(), true);
  assert.equal(await page.locator('#start').isEnabled(), true, 'another run may start');
  assert.deepEqual(errors, []);
  assert.deepEqual(consoleErrors, []);
});

test("the live page runs any transform, counting its failed records and showing the last one's name, code and message", async (t) => {
  const url = await serve(t);
  const { page, errors, consoleErrors } = await openPage(t, url);
  await waitFor(page, '#live[data-state="ready"]', 'the page to list the transforms');

  await startRun(page, { count: 100, concurrency: 8, meanMs: 1, transform: 'page-fail-odd.mjs' });
  await waitFor(page, '#live[data-state="done"]', 'the run to finish');
  const seen = await figures(page);
  assert.deepEqual([seen.done, seen.records, seen.failed], [100, 100, 50], 'every message back, the odd ones failed');
  assert.match(seen.text, /^Done: 100 of 100 messages through page-fail-odd\.mjs in [\d.]+ s \(\d[\d,]* msg\/s\), 50 failed\.$/);
  assert.match(seen.error, /^last failure: TransformError \[ERR_TIDEMARK_TRANSFORM\]: .*message \d*[13579] is odd/);
  assert.deepEqual(errors, []);
  assert.deepEqual(consoleErrors, []);
});

test('the live page shows an error from the far side with its name and code', async (t) => {
  const url = await serve(t);
  const { page, errors } = await openPage(t, url);
  await waitFor(page, '#live[data-state="ready"]', 'the page to list the transforms');

  await startRun(page, { count: 10, concurrency: 4, meanMs: 1, threads: 100_000 });
  await waitFor(page, '#live[data-state="error"]', 'the run to fail');
  const seen = await figures(page);
  assert.match(seen.error, /^InvalidOptionError \[ERR_TIDEMARK_INVALID_OPTION\]: .*threads/);
  assert.equal(await page.locator('#error').isVisible(), true);
  assert.deepEqual(errors, []);
});

test('the live page is served from a fixed table of routes, GET and HEAD only, with its security headers', async (t) => {
  const url = await serve(t);

  const html = await fetch(`${url}/?token=x`);
  assert.equal(html.status, 200);
  assert.equal(html.headers.get('content-type'), 'text/html; charset=utf-8');
  const csp = html.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/, 'scripts from the server only: none inline');
  assert.match(csp, /connect-src 'self'(;|$)/);
  assert.equal(html.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(html.headers.get('cache-control'), 'no-store');
  const body = await html.text();
  assert.doesNotMatch(body, /<script(?![^>]*\ssrc="\/)/, 'no inline script, and every script from this server');
  assert.doesNotMatch(body, /(src|href)="(https?:)?\/\//, 'nothing from another origin');

  const client = await fetch(`${url}/tidemark-client.js`);
  assert.equal(client.status, 200);
  assert.equal(client.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.match(await client.text(), /connectEngine/);

  const head = await fetch(`${url}/`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get('content-length')), Buffer.byteLength(body));
  assert.equal(await head.text(), '');

  const post = await fetch(`${url}/tidemark-client.js`, { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');

  // Built files the page does not load, and paths that would leave dist/, are not routes.
  for (const path of ['/serve/page/page-html.js', '/serve/page/script/live-page.js.map', '/index.js', '/package.json', '/%2e%2e/package.json', '/favicon.ico']) {
    assert.equal((await fetch(`${url}${path}`)).status, 404, path);
  }
});

test("the live page passes its URL's ?token= on to the WebSocket", async (t) => {
  const url = await serve(t, ['--token', 's3cret']);
  const { page, sockets } = await openPage(t, `${url}/?token=s3cret`);
  await waitFor(page, '#live[data-state="ready"]', 'the page to list the transforms with the token');
  assert.ok(sockets.length > 0 && sockets.every((socket) => new URL(socket).searchParams.get('token') === 's3cret'), sockets.join(', '));

  const without = await openPage(t, url);
  await waitFor(without.page, '#live[data-state="error"]', 'the page without the token to be refused');
  assert.match((await figures(without.page)).error, /could not connect to ws:\/\/127\.0\.0\.1:\d+\/: code 1006/);
  // The refused handshake is the browser's own console error: the capture the other tests assert empty works.
  assert.ok(without.consoleErrors.some((text) => /WebSocket connection to .* failed/.test(text)), without.consoleErrors.join('\n'));
});
