import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { openInChromium } from './helpers/chromium.js';
import { cliFixture as fixture, requireBuiltCli } from './helpers/cli.js';
import { pinnedVersion, runOn } from './helpers/runtimes.js';
import type { Runtime } from './helpers/runtimes.js';
import { ServeSession } from './helpers/serve-session.js';
import { within } from './helpers/wait.js';
import { assertWatermarkEvents } from './helpers/watermark-events.js';

// `tidemark serve` driven from real hosts other than Node: a Deno and a Bun
// program (the binaries of the pinned npm packages) and a page in Debian's
// Chromium. Each runs fixtures/hosts/skewed-workload.mjs, a seeded, skewed
// workload through the served `hosts-skewed.mjs`, and reports every record
// and watermark event in the order they came; the checks are here.
before(requireBuiltCli);

const count = 3000;
const eventTimeBase = 1_700_000_000_000;
/** The messages that throw on every try (skewed-workload.mjs sets `fail` on these). */
const failing = (offset: number) => offset % 1000 === 7;

/** What skewed-workload.mjs returns, and each host prints. */
interface HostRun {
  readonly runtime?: Partial<Record<Runtime, string>>;
  readonly events: readonly Event[];
  readonly watermark: number;
  readonly stats: { readonly read: number; readonly acked: number; readonly failed: number; readonly late: number };
  readonly optionError: Record<string, unknown>;
}

interface FailedError {
  readonly name: string;
  readonly code: string;
  readonly errorName: string;
  readonly errorCode: string;
  readonly message: string;
  readonly transformError: boolean;
  readonly tidemarkError: boolean;
}

type Event =
  | readonly ['w', number]
  | readonly ['o', number, number, { readonly id: number; readonly doubled: number }]
  | readonly ['f', number, number, FailedError];

/** Every check of a host's run: each message once with its value, failed records' class and code, a monotonic watermark, the option error. */
function checkRun(run: HostRun, what: string): void {
  const records = run.events.filter((event) => event[0] !== 'w');
  assert.deepEqual(
    records.map((record) => record[1]).sort((a, b) => a - b),
    Array.from({ length: count }, (_, offset) => offset),
    `${what}: one record per message, offsets 0..${count - 1} each once`,
  );
  for (const record of records) {
    const [kind, offset, eventTime] = record;
    assert.equal(eventTime, eventTimeBase + offset, `${what}: offset ${offset} keeps its event time`);
    if (failing(offset)) {
      assert.equal(kind, 'f', `${what}: offset ${offset} throws on every try`);
      assert.deepEqual(record[3], {
        name: 'TransformError',
        code: 'ERR_TIDEMARK_TRANSFORM',
        errorName: 'RangeError',
        errorCode: 'E_HOSTS_SKEWED',
        message: `message ${offset} fails on purpose`,
        transformError: true,
        tidemarkError: true,
      });
    } else {
      assert.equal(kind, 'o', `${what}: offset ${offset} is an output`);
      assert.deepEqual(record[3], { id: offset, doubled: offset * 2 }, `${what}: the value of offset ${offset}`);
    }
  }
  assert.deepEqual(run.stats, { read: count, acked: count, failed: 3, late: 0 }, `${what}: the far engine's counters`);

  assertWatermarkEvents(run.events, eventTimeBase + count - 1, run.watermark, what);

  assert.deepEqual(
    run.optionError,
    { thrown: true, name: 'InvalidOptionError', code: 'ERR_TIDEMARK_INVALID_OPTION', option: 'concurrency', received: 0, invalidOptionError: true },
    `${what}: concurrency 0 is refused with an InvalidOptionError, as in-process`,
  );
}

async function runHost(t: TestContext, runtime: Runtime): Promise<HostRun> {
  const { url } = await ServeSession.start(t);
  const { host } = new URL(url);
  // Deno may reach the server and nothing else; it needs no read permission:
  // statically imported modules load without one.
  const permissions = runtime === 'deno' ? { permissions: [`--allow-net=${host}`] } : {};
  const exit = await runOn(t, runtime, fixture(`hosts/${runtime}-host.mjs`), [url, String(count)], permissions);
  assert.equal(exit.code, 0, `the ${runtime} host exits 0 once its engines are closed\n${exit.stderr}`);
  const run = JSON.parse(exit.stdout) as HostRun;
  assert.equal(run.runtime?.[runtime], pinnedVersion(runtime), `ran on the pinned ${runtime}`);
  return run;
}

test('a Deno host (the browser bundle, Deno\'s WebSocket, --allow-net to the server only): every message once, monotonic watermark, errors keep class and code', async (t) => {
  checkRun(await runHost(t, 'deno'), 'deno');
});

test('a Bun host (@tidemark/engine/client, Bun\'s WebSocket): every message once, monotonic watermark, errors keep class and code', async (t) => {
  checkRun(await runHost(t, 'bun'), 'bun');
});

test('a page in Chromium (the bundle from the server\'s origin, the browser\'s WebSocket): every message once, monotonic watermark, errors keep class and code', async (t) => {
  const { url, origin } = await ServeSession.start(t);
  const { page, requests, errors } = await openInChromium(t, `${origin}/`);
  // The page imports the workload from its own origin, as a page imports its
  // own scripts (the live page's CSP allows scripts from 'self' only): the
  // test answers that one request, and the server answers the client's.
  const workload = `${origin}/test/skewed-workload.mjs`;
  const body = await readFile(fixture('hosts/skewed-workload.mjs'), 'utf8');
  await page.route(workload, (route) => route.fulfill({ body, contentType: 'text/javascript' }));
  const run = await within(
    page.evaluate(
      async ({ client: clientPath, workload, url, count }) => {
        const client = (await import(clientPath)) as unknown;
        const { runSkewedWorkload } = (await import(workload)) as {
          runSkewedWorkload: (client: unknown, socket: typeof WebSocket, url: string, count: number) => Promise<HostRun>;
        };
        return runSkewedWorkload(client, WebSocket, url, count);
      },
      { client: '/tidemark-client.js', workload, url, count },
    ),
    'the page to run the workload',
  );
  assert.ok(requests.includes(`${origin}/tidemark-client.js`), `the page loaded the client from the server: ${JSON.stringify(requests)}`);
  assert.deepEqual(errors, [], 'the page threw nothing');
  checkRun(run, 'chromium');
});
