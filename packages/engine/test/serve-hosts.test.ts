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
// and watermark event in the order they came; then
// fixtures/hosts/pipe-through-workload.mjs, the same engine through the host's
// own WHATWG streams: `readable.pipeThrough(engine.transformStream())`. The
// checks are here.
before(requireBuiltCli);

const count = 3000;
/** Skewed messages through pipeThrough, and quick ones into a held sink. */
const pipeCount = 200;
const heldCount = 300;
const eventTimeBase = 1_700_000_000_000;
/** The messages that throw on every try (skewed-workload.mjs sets `fail` on these). */
const failing = (offset: number) => offset % 1000 === 7;

/** A failed record's error: the class and code of the transform's RangeError. */
const failedError = (offset: number): FailedError => ({
  name: 'TransformError',
  code: 'ERR_TIDEMARK_TRANSFORM',
  errorName: 'RangeError',
  errorCode: 'E_HOSTS_SKEWED',
  message: `message ${offset} fails on purpose`,
  transformError: true,
  tidemarkError: true,
});

/** 0 … n - 1. */
const range = (n: number): number[] => Array.from({ length: n }, (_, offset) => offset);

/** What skewed-workload.mjs returns, and each host prints. */
interface HostRun {
  readonly runtime?: Partial<Record<Runtime, string>>;
  readonly events: readonly Event[];
  readonly watermark: number;
  readonly stats: { readonly read: number; readonly acked: number; readonly failed: number; readonly late: number };
  readonly optionError: Record<string, unknown>;
  readonly pipe: PipeRun;
}

/** What pipe-through-workload.mjs returns. */
interface PipeRun {
  readonly run: {
    readonly records: readonly (
      | readonly ['o', number, number, string, { readonly id: number; readonly doubled: number }]
      | readonly ['f', number, number, string, FailedError]
    )[];
    readonly read: number;
    readonly acked: number;
  };
  readonly cancel: { readonly taken: number; readonly sourceCancelledWithReason: boolean };
  readonly held: {
    readonly count: number;
    readonly filled: boolean;
    readonly maxRead: number;
    readonly maxProduced: number;
    readonly offsets: readonly number[];
    readonly produced: number;
    readonly buffers: { readonly input: number; readonly processing: number; readonly output: number };
    readonly concurrency: number;
  };
  readonly loadError: Record<string, unknown>;
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
      assert.deepEqual(record[3], failedError(offset));
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
  checkPipe(run.pipe, what);
}

/**
 * The checks of pipe-through-workload.mjs's runs, as embed-transform-stream.test.ts
 * makes them in Node: every message once with its value, a failed record's
 * error with its class and code; cancelling the readable cancels the source;
 * a held sink holds the far side's reading and the source back (a run on the
 * same engine after the cancel); a TransformLoadError errors the stream and
 * cancels the source.
 */
function checkPipe({ run, cancel, held, loadError }: PipeRun, what: string): void {
  assert.deepEqual(
    run.records.map((record) => record[1]).sort((a, b) => a - b),
    range(pipeCount),
    `${what} pipeThrough: one record per message, each once`,
  );
  for (const [kind, offset, eventTime, key, value] of run.records) {
    assert.deepEqual([eventTime, key], [eventTimeBase + offset, `k${offset % 8}`], `${what} pipeThrough: offset ${offset} keeps its event time and key`);
    if (failing(offset)) {
      assert.deepEqual([kind, value], ['f', failedError(offset)], `${what} pipeThrough: offset ${offset} is a failed record with its error's class and code`);
    } else {
      assert.deepEqual([kind, value], ['o', { id: offset, doubled: offset * 2 }], `${what} pipeThrough: the value of offset ${offset}`);
    }
  }
  assert.deepEqual([run.read, run.acked], [pipeCount, pipeCount], `${what} pipeThrough: the far engine's counters`);

  assert.deepEqual(cancel, { taken: 50, sourceCancelledWithReason: true }, `${what} pipeThrough: cancelling the readable cancels the source with the reason`);

  // Backpressure, with the bounds embed-transform-stream.test.ts explains: what the far side read is at most
  // its three buffers and the 3 records the host's streams hold; the source gave at most that, plus a feed
  // window on the host, two on the far inbox less one, one at the far reader, and 3 in the stream pair.
  assert.equal(held.count, heldCount);
  assert.equal(held.filled, true, `${what} held sink: the far engine filled its input and output buffers and stopped reading: ${JSON.stringify(held)}`);
  const { input, processing, output } = held.buffers;
  const readBound = input + processing + output + 3;
  const window = Math.min(1024, Math.max(16, held.concurrency));
  const sourceBound = readBound + window + (2 * window - 1) + window + 3;
  assert.ok(sourceBound < heldCount, `the bound (${sourceBound}) leaves most of the ${heldCount} messages unread`);
  assert.ok(held.maxRead <= readBound, `${what} held sink: the far side read ${held.maxRead} (bound ${readBound})`);
  assert.ok(held.maxProduced <= sourceBound, `${what} held sink: the source gave ${held.maxProduced} (bound ${sourceBound})`);
  assert.deepEqual([...held.offsets].sort((a, b) => a - b), range(heldCount), `${what} held sink: every message once after the sink let go`);
  assert.equal(held.produced, heldCount);

  assert.deepEqual(
    loadError,
    { thrown: true, name: 'TransformLoadError', code: 'ERR_TIDEMARK_TRANSFORM_LOAD', saysWhy: true, transformLoadError: true, tidemarkError: true, sourceCancelledWithIt: true },
    `${what} pipeThrough: a transform that throws at load errors the stream with a TransformLoadError and cancels the source with it`,
  );
}

async function runHost(t: TestContext, runtime: Runtime): Promise<HostRun> {
  const { url } = await ServeSession.start(t);
  const { host } = new URL(url);
  // Deno may reach the server and nothing else; it needs no read permission:
  // statically imported modules load without one.
  const permissions = runtime === 'deno' ? { permissions: [`--allow-net=${host}`] } : {};
  const exit = await runOn(t, runtime, fixture(`hosts/${runtime}-host.mjs`), [url, String(count), String(pipeCount), String(heldCount)], permissions);
  assert.equal(exit.code, 0, `the ${runtime} host exits 0 once its engines are closed\n${exit.stderr}`);
  const run = JSON.parse(exit.stdout) as HostRun;
  assert.equal(run.runtime?.[runtime], pinnedVersion(runtime), `ran on the pinned ${runtime}`);
  return run;
}

test('a Deno host (the browser bundle, Deno\'s WebSocket, --allow-net to the server only): every message once, monotonic watermark, errors keep class and code; the same through pipeThrough(engine.transformStream()), with backpressure and a TransformLoadError', async (t) => {
  checkRun(await runHost(t, 'deno'), 'deno');
});

test('a Bun host (@tidemark/engine/client, Bun\'s WebSocket): every message once, monotonic watermark, errors keep class and code; the same through pipeThrough(engine.transformStream()), with backpressure and a TransformLoadError', async (t) => {
  checkRun(await runHost(t, 'bun'), 'bun');
});

test('a page in Chromium (the bundle from the server\'s origin, the browser\'s WebSocket): every message once, monotonic watermark, errors keep class and code; the same through pipeThrough(engine.transformStream()), with backpressure and a TransformLoadError', async (t) => {
  const { url, origin } = await ServeSession.start(t);
  const { page, requests, errors } = await openInChromium(t, `${origin}/`);
  // The page imports the workloads from its own origin, as a page imports its
  // own scripts (the live page's CSP allows scripts from 'self' only): the
  // test answers those requests, and the server answers the client's.
  const workloads = `${origin}/test/`;
  for (const name of ['skewed-workload.mjs', 'pipe-through-workload.mjs']) {
    const body = await readFile(fixture(`hosts/${name}`), 'utf8');
    await page.route(`${workloads}${name}`, (route) => route.fulfill({ body, contentType: 'text/javascript' }));
  }
  const run = await within(
    page.evaluate(
      async ({ client: clientPath, workloads, url, count, pipeCount, heldCount }) => {
        const client = (await import(clientPath)) as unknown;
        const { runSkewedWorkload } = (await import(`${workloads}skewed-workload.mjs`)) as {
          runSkewedWorkload: (client: unknown, socket: typeof WebSocket, url: string, count: number) => Promise<Omit<HostRun, 'pipe'>>;
        };
        const { runPipeThroughWorkload } = (await import(`${workloads}pipe-through-workload.mjs`)) as {
          runPipeThroughWorkload: (client: unknown, socket: typeof WebSocket, url: string, count: number, heldCount: number) => Promise<PipeRun>;
        };
        const result = await runSkewedWorkload(client, WebSocket, url, count);
        return { ...result, pipe: await runPipeThroughWorkload(client, WebSocket, url, pipeCount, heldCount) };
      },
      { client: '/tidemark-client.js', workloads, url, count, pipeCount, heldCount },
    ),
    'the page to run the workloads',
  );
  assert.ok(requests.includes(`${origin}/tidemark-client.js`), `the page loaded the client from the server: ${JSON.stringify(requests)}`);
  assert.deepEqual(errors, [], 'the page threw nothing');
  checkRun(run, 'chromium');
});
