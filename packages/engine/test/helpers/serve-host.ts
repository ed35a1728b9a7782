import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import type { ClientOptions } from 'ws';
import { TransformError, connectEngine, webSocketEndpoint } from '../../src/client/index.js';
import type { EngineRecord, RemoteEngine, RemoteEngineOptions, SourceRecord } from '../../src/client/index.js';
import { within } from './wait.js';

// A Node host of `tidemark serve` in the tests: `ws`'s WebSocket and
// connectEngine from the browser-safe client entry, the seeded skewed
// workload fixtures/serve/node-host-skewed.mjs runs, and raw sockets for
// what a host should not send. Every wait is bounded by `within`.

/** The transform the hosts run, under fixtures/serve (served as --transforms). */
export const transform = 'node-host-skewed.mjs';
/** Message `id`'s event time is this plus `id`. */
export const eventTimeBase = 1_700_000_000_000;
/** The --max-frame-bytes of the servers that test frame limits: 1 MiB. */
export const maxFrameBytes = 2 ** 20;
/** The messages whose transform throws on every try. */
export const failing = (id: number): boolean => id % 500 === 7;

/** What node-host-skewed.mjs is given. */
export interface Skewed {
  readonly id: number;
  readonly ms: number;
  readonly fail: boolean;
  readonly holdUntil?: string;
}

/** `count` messages with seeded latencies (mulberry32): 0 to 5 ms, about 1 in 100 at 40 ms. */
export function skewed(count: number, seed = 42): SourceRecord<Skewed>[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, (_, id) => {
    const u = next();
    const ms = u < 0.01 ? 40 : Math.floor(next() * 6);
    return { value: { id, ms, fail: failing(id) }, eventTime: eventTimeBase + id, key: `k${id % 4}` };
  });
}

/** A `ws` socket to `url`, once open; rejects with the HTTP status when the upgrade is refused. */
export function openSocket(url: string, options: ClientOptions = {}): Promise<WebSocket> {
  const socket = new WebSocket(url, options);
  return within(
    new Promise<WebSocket>((resolve, reject) => {
      socket.once('open', () => resolve(socket));
      socket.once('unexpected-response', (_request, response) => reject(new Error(`refused: ${response.statusCode}`)));
      socket.once('error', reject);
    }),
    `a WebSocket to ${url} to open`,
  );
}

/** The HTTP status and body an upgrade to `url` is refused with (fails if a connection is made). */
export function refusedUpgrade(url: string, options: ClientOptions = {}): Promise<{ status: number; body: string }> {
  const socket = new WebSocket(url, options);
  return within(
    new Promise((resolve, reject) => {
      socket.once('open', () => {
        socket.terminate();
        reject(new Error(`the upgrade to ${url} was accepted`));
      });
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      socket.once('error', () => {}); // ws reports the refusal here too, after unexpected-response
    }),
    `the upgrade to ${url} to be refused`,
  );
}

/** The close code and reason `socket` ends with. */
export function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return within(
    new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
    'the WebSocket to close',
  );
}

export async function connect(url: string, options: RemoteEngineOptions, socket: ClientOptions = {}): Promise<RemoteEngine> {
  return connectEngine(webSocketEndpoint(await openSocket(url, socket)), options);
}

/** The error `work` rejects with (fails if it does not). */
export async function rejection(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  return assert.fail('expected a rejection');
}

/** Every record of `records`, checking that no offset comes twice. */
export async function collect(records: AsyncIterable<EngineRecord<{ id: number; square: number }>>): Promise<Map<number, EngineRecord<{ id: number; square: number }>>> {
  const seen = new Map<number, EngineRecord<{ id: number; square: number }>>();
  for await (const record of records) {
    assert.equal(seen.has(record.offset), false, `offset ${record.offset} came twice`);
    seen.set(record.offset, record);
  }
  return seen;
}

/** `record` is message `id`'s: its output `{ id, square }`, or for a failing one its TransformError. */
export function checkRecord(record: EngineRecord<{ id: number; square: number }> | undefined, id: number): void {
  assert.ok(record !== undefined, `message ${id} came back`);
  assert.equal(record.eventTime, eventTimeBase + id, `message ${id} keeps its event time`);
  if (failing(id)) {
    assert.equal(record.kind, 'failed', `message ${id} fails`);
    assert.ok(record.error instanceof TransformError, `message ${id}: a TransformError, as in-process`);
    assert.equal(record.error.code, 'ERR_TIDEMARK_TRANSFORM');
    assert.equal(record.error.errorName, 'RangeError');
    assert.equal(record.error.errorCode, 'E_NODE_HOST');
  } else {
    assert.equal(record.kind, 'output', `message ${id}: ${JSON.stringify(record)}`);
    assert.deepEqual(record.value, { id, square: id * id });
  }
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
