import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { AckPolicy } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KvWatchEntry } from '@nats-io/kv';
import { openWatermarkBucket } from '../src/nats/watermark-bucket.js';
import { decodeWatermarkEntry } from '../src/nats/watermark-entry.js';
import { WatermarkReader } from '../src/nats/watermark-reader.js';
import { cli, cliFixture, requireBuiltCli } from './helpers/cli.js';
import { addStreams, jetStreamSession, publishAll, readStream } from './helpers/jetstream.js';
import { startNatsServer } from '../src/workload/nats-server.js';
import { until, within } from './helpers/wait.js';

const messages = 100_000;
/** Skewed latencies: most messages take none, one in 20 takes 2 ms, one in 500 takes 40 ms. */
const latency = (i: number): number => (i % 500 === 7 ? 40 : i % 20 === 3 ? 2 : 0);

// What the issue asks: three engine processes share one stream of 100,000
// messages through one durable consumer; one is killed with SIGKILL mid-run.
// Every message reaches the sink subject at least once, the sink stream
// (after its duplicate window) holds each exactly once, the duplicates are
// counted, and the watermark in the KV bucket only rises and never passes
// an output that was not yet delivered.
test('three processes share a stream; one is SIGKILLed mid-run; nothing is lost, duplicates are counted, the KV watermark holds', { timeout: 600_000 }, async (t) => {
  requireBuiltCli();
  const server = await startNatsServer();
  const session = await jetStreamSession(server.url);
  const cleanups: (() => unknown)[] = [() => session.close(), () => server.stop()];
  // node:test runs its after hooks in the order they were added: one hook, last opened first closed.
  t.after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });
  await addStreams(session.jsm);
  // A short AckWait, so that what the killed process held comes back soon.
  await session.jsm.consumers.add('IN', { durable_name: 'shared', ack_policy: AckPolicy.Explicit, ack_wait: 2_000_000_000 });
  await publishAll(
    session.js,
    'in',
    Array.from({ length: messages }, (_, id) => ({ id, ms: latency(id) })),
    (i) => 1_000_000 + i,
  );

  // Everything published to the sink subject, duplicates included, as a core subscriber sees it.
  const seen = new Map<string, number>();
  const byProcessor = new Map<string, number>();
  const sub = session.nc.subscribe('out', {
    callback: (_error, msg) => {
      const id = msg.headers?.get('Nats-Msg-Id') ?? '';
      seen.set(id, (seen.get(id) ?? 0) + 1);
      const processor = msg.headers?.get('Tidemark-Processor') ?? '';
      byProcessor.set(processor, (byProcessor.get(processor) ?? 0) + 1);
    },
  });
  await session.nc.flush();

  // Every watermark put, in the order the server stored them.
  const kv = await new Kvm(session.nc).create('wm', { history: 1 });
  const puts: { processor: string; watermark: number; at: number }[] = [];
  const watch = await kv.watch();
  void (async () => {
    for await (const entry of watch as AsyncIterable<KvWatchEntry>) {
      if (entry.operation !== 'PUT') continue;
      const decoded = decodeWatermarkEntry(entry.value);
      if (decoded !== undefined) puts.push({ processor: entry.key, watermark: decoded.watermark, at: entry.created.getTime() });
    }
  })();
  cleanups.unshift(() => watch.stop());
  // The minimum over live processes as a reader downstream sees it, and when (the clock the server stamps stored messages with: one machine).
  const reader = await WatermarkReader.open(await openWatermarkBucket(session.nc, 'wm'), { staleAfter: 1000 });
  cleanups.unshift(() => reader.close());
  const minimums: { watermark: number; at: number }[] = [];
  reader.on('watermark', (watermark) => minimums.push({ watermark, at: Date.now() }));
  const dropped: string[] = [];
  let droppedAt = Number.NaN;
  reader.on('stale', (processor) => {
    dropped.push(processor);
    if (processor === 'p1') droppedAt = Date.now();
  });

  const procs = ['p0', 'p1', 'p2'].map((name) => engineProcess(server.url, name));
  const [p0, p1, p2] = procs as [Proc, Proc, Proc];
  cleanups.unshift(() => procs.forEach((p) => p.child.kill('SIGKILL')));
  // Mid-run: once the victim's records are a good part of what reached the sink.
  await until(() => (byProcessor.get('p1') ?? 0) >= 5000, 'p1 to publish 5,000 records', () => Object.fromEntries(byProcessor), 300_000);
  p1.child.kill('SIGKILL');
  const [code0, code2] = await within(Promise.all([p0.exit, p2.exit]), 'the survivors to drain the stream and exit', 400_000);
  assert.equal(code0, 0, p0.stderr());
  assert.equal(code2, 0, p2.stderr());
  await session.nc.flush();
  sub.unsubscribe();

  // At least once at the sink subject; exactly once in the sink stream.
  for (let seq = 1; seq <= messages; seq++) assert.ok(seen.has(`IN:shared:${seq}:0`), `message ${seq} never reached the sink subject`);
  const stored = await readStream(session.js, session.jsm, 'OUT');
  assert.equal(stored.length, messages, 'the sink stream holds each message once');
  const ids = new Set(stored.map((msg) => msg.json<number>()));
  assert.equal(ids.size, messages);

  // Duplicates counted: every publish the stream dropped was counted by the survivor that made it.
  const survivors = [p0, p2].map((p) => summaryOf(p.stderr()));
  const publishedSeen = [...seen.values()].reduce((a, b) => a + b, 0);
  const counted = survivors.reduce((sum, s) => sum + s.duplicates, 0);
  t.diagnostic(`published ${publishedSeen} at the subject for ${messages} messages; duplicates counted ${counted}; redelivered ${survivors.map((p) => p.redelivered).join(' + ')}`);
  assert.equal(publishedSeen - messages, counted, `duplicates at the subject vs counted; ${p0.stderr()}\n${p2.stderr()}`);
  assert.ok(survivors.reduce((sum, s) => sum + s.redelivered, 0) > 0, 'what the killed process held was redelivered');
  const info = await session.jsm.consumers.info('IN', 'shared');
  assert.equal(info.num_pending + info.num_ack_pending, 0);

  // Each process's key never passes one of its own outputs not yet in the sink stream. (A key may fall: a
  // process holds its key at a dead peer's watermark until what that peer held is redelivered and acked.)
  const timesOf = new Map<string, { eventTime: number; at: number }[]>();
  for (const msg of stored) {
    if (msg.headers?.get('Tidemark-Late') === '1') continue;
    const processor = msg.headers?.get('Tidemark-Processor') ?? '';
    const list = timesOf.get(processor) ?? [];
    list.push({ eventTime: Number(msg.headers?.get('Tidemark-Event-Time')), at: storedAt(msg) });
    timesOf.set(processor, list);
  }
  assert.ok(puts.length > 10, 'watermarks were put');
  const late = stored.filter((msg) => msg.headers?.get('Tidemark-Late') === '1').length;
  t.diagnostic(`${puts.length} watermark puts; ${late} late outputs; ${minimums.length} rises of the shared minimum`);
  for (const put of puts) {
    for (const output of timesOf.get(put.processor) ?? []) {
      if (output.eventTime < put.watermark) assert.ok(output.at <= put.at, `${put.processor} put ${put.watermark} before its output at ${output.eventTime} was stored`);
    }
  }
  // The minimum over live processes, as a reader sees it: it dropped the killed process, it only rises, and no
  // output (late ones included: the killed process's messages, redelivered) is stored after it passed it.
  assert.ok(dropped.includes('p1'), `the reader dropped the killed process: ${dropped.join(', ')}`);
  assert.ok(minimums.length > 10 && minimums.at(-1)!.watermark >= 1_000_000, 'the shared minimum rose');
  for (let i = 1; i < minimums.length; i++) assert.ok(minimums[i]!.watermark >= minimums[i - 1]!.watermark, 'the shared minimum fell');
  const outputs = stored
    .map((msg) => ({ eventTime: Number(msg.headers?.get('Tidemark-Event-Time')), at: storedAt(msg), late: msg.headers?.get('Tidemark-Late') === '1' }))
    .map((output) => ({ ...output, passedAt: firstAbove(minimums, output.eventTime)?.at ?? Infinity }));
  assert.ok(late > 0, "the killed process's unprocessed messages came back, late where they landed");
  // How long before the reader dropped the killed process each survivor's key was down at its last watermark.
  const lastOfKilled = puts.filter((put) => put.processor === 'p1').at(-1)!;
  const heldAt = ['p0', 'p2'].map((name) => puts.find((put) => put.processor === name && put.at > lastOfKilled.at && put.watermark <= lastOfKilled.watermark)?.at ?? Number.NaN);
  t.diagnostic(`the survivors' keys held ${heldAt.map((at) => droppedAt - at).join(' and ')} ms before the reader dropped the killed process`);
  const slack = Math.min(...outputs.filter((output) => output.late).map((output) => output.passedAt - output.at));
  t.diagnostic(`the shared minimum passed each late output at least ${slack} ms after it was stored`);
  const passed = outputs.filter((output) => output.passedAt < output.at);
  assert.deepEqual(passed.slice(0, 5), [], `${passed.length} outputs stored after the shared minimum passed them (first five shown)`);
  // The minimum a reader takes over the processes it holds live only rises.
  for (const p of survivors) assert.ok(Number.isFinite(p.sharedWatermark), 'the survivors saw a shared watermark');
});

/** When the sink stream stored `msg`, ms since the epoch. */
function storedAt(msg: { timestampNanos: bigint }): number {
  return Math.floor(Number(msg.timestampNanos) / 1e6);
}

/** The first of `minimums` (rising) above `eventTime`. */
function firstAbove<T extends { watermark: number }>(minimums: readonly T[], eventTime: number): T | undefined {
  let low = 0;
  let high = minimums.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (minimums[mid]!.watermark > eventTime) high = mid;
    else low = mid + 1;
  }
  return minimums[low];
}

interface Proc {
  readonly child: ChildProcess;
  readonly exit: Promise<number | null>;
  stderr(): string;
}

function engineProcess(url: string, name: string): Proc {
  const child = spawn(
    process.execPath,
    [
      cli, 'run', '--source', url, '--stream', 'IN', '--consumer', 'shared', '--sink-subject', 'out',
      '--transform', cliFixture('nats-skew.js'), '--threads', '1', '--concurrency', '16',
      '--watermark-bucket', 'wm', '--processor', name, '--heartbeat', '200', '--stale-after', '1000',
      '--exit-when-drained', '--quiet',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exit, stderr: () => stderr };
}

/** The counts of `tidemark run --source`'s summary. */
function summaryOf(stderr: string): { duplicates: number; redelivered: number; sharedWatermark: number } {
  const line = /jetstream: (\d+) received \((\d+) redelivered.*?(\d+) duplicates/.exec(stderr);
  assert.ok(line, `no summary in: ${stderr}`);
  const shared = /; (\S+) the minimum over live processes/.exec(stderr);
  return { redelivered: Number(line[2]), duplicates: Number(line[3]), sharedWatermark: Number(shared?.[1]) };
}
