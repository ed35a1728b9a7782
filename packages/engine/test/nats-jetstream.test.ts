import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BrokerError, InvalidOptionError } from '../src/index.js';
import { runJetStream } from '../src/nats/run-jetstream.js';
import type { JetStreamRunOptions } from '../src/nats/jetstream-options.js';
import { addStreams, jetStreamSession, jsonOf, publishAll, pullRequests, readStream } from './helpers/jetstream.js';
import type { JetStreamSession } from './helpers/jetstream.js';
import { startNatsServer } from '../src/workload/nats-server.js';
import type { NatsServer } from '../src/workload/nats-server.js';
import { until, within } from './helpers/wait.js';
import { setTimeout as pause } from 'node:timers/promises';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

// Each test gets a server of its own: streams, consumers and their counts start empty.
describe('a JetStream run against a real nats-server', () => {
  let server: NatsServer;
  let session: JetStreamSession;
  before(async () => {
    server = await startNatsServer();
  });
  after(async () => {
    await server.stop();
  });

  /** A new session, with the streams (and so the consumers) of the tests before removed and made again. */
  async function fresh(): Promise<void> {
    session = await jetStreamSession(server.url);
    for await (const name of session.jsm.streams.names()) await session.jsm.streams.delete(name);
    await addStreams(session.jsm);
  }

  const options = (over: Partial<JetStreamRunOptions> = {}): JetStreamRunOptions => ({
    servers: server.url,
    stream: 'IN',
    consumer: 'workers',
    sinkSubject: 'out',
    stopWhenDrained: true,
    ackWait: 5000,
    engine: { transform: fixture('double.js'), threads: 2, concurrency: 8 },
    ...over,
  });

  test('every message is transformed, published with its id and acked; the consumer ends drained', async () => {
    await fresh();
    const values = Array.from({ length: 2000 }, (_, i) => i);
    await publishAll(session.js, 'in', values);
    const run = await runJetStream(options());
    const stats = await within(run.done, 'the run to drain the stream');
    assert.equal(stats.received, 2000);
    assert.equal(stats.acked, 2000);
    assert.equal(stats.published, 2000);
    assert.equal(stats.duplicates, 0);
    assert.equal(stats.naked + stats.termed, 0);
    const out = await readStream(session.js, session.jsm, 'OUT');
    assert.deepEqual(
      jsonOf(out).sort((a, b) => (a as number) - (b as number)),
      values.map((v) => v * 2),
    );
    const ids = new Set(out.map((msg) => msg.headers?.get('Nats-Msg-Id')));
    assert.equal(ids.size, 2000, 'one id per record');
    // Each output names its source message, whose stream sequence is its offset.
    for (const msg of out) {
      const seq = Number(msg.headers?.get('Tidemark-Source-Sequence'));
      assert.equal(msg.json<number>() / 2, seq - 1);
      assert.equal(msg.headers?.get('Nats-Msg-Id'), `IN:workers:${seq}:0`);
    }
    const info = await session.jsm.consumers.info('IN', 'workers');
    assert.equal(info.num_pending, 0);
    assert.equal(info.num_ack_pending, 0);
    await session.close();
  });

  test('a try that fails is nak-ed and redelivered until the attempts are spent, then dead-lettered and termed', async () => {
    await fresh();
    await publishAll(session.js, 'in', Array.from({ length: 100 }, (_, i) => i));
    await session.js.publish('in', '{not json');
    const run = await runJetStream(
      options({
        deadLetterSubject: 'dlq',
        engine: { transform: fixture('cli-throw-odd.js'), threads: 2, concurrency: 8, retry: { attempts: 3, backoff: { initial: 1, max: 4 } } },
      }),
    );
    const stats = await within(run.done, 'the run to drain the stream');
    // 50 odd values: two naks each, then a term; the malformed payload: a term at once, no retry.
    assert.equal(stats.naked, 100);
    assert.equal(stats.termed, 51);
    assert.equal(stats.acked, 50);
    assert.equal(stats.received, 101 + 100);
    assert.equal(stats.redelivered, 100);
    const out = await readStream(session.js, session.jsm, 'OUT');
    assert.deepEqual(jsonOf(out).sort((a, b) => (a as number) - (b as number)), Array.from({ length: 50 }, (_, i) => i * 2));
    const dead = await readStream(session.js, session.jsm, 'DLQ');
    assert.equal(dead.length, 51);
    const records = jsonOf(dead) as { offset: number; attempts: number; error: { code: string } }[];
    const codes = records.map((record) => record.error.code).sort();
    assert.deepEqual(codes, [...Array<string>(50).fill('ERR_TIDEMARK_TRANSFORM'), 'ERR_TIDEMARK_INVALID_MESSAGE'].sort());
    for (const msg of dead) assert.equal(msg.headers?.get('Tidemark-Failed'), '1');
    const info = await session.jsm.consumers.info('IN', 'workers');
    assert.equal(info.num_ack_pending, 0);
    await session.close();
  });

  test('a retry is nak-ed with the backoff delay: the message comes back no sooner', async () => {
    await fresh();
    await publishAll(session.js, 'in', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    const tries = new Map<number, number[]>();
    const channel = new BroadcastChannel('tidemark-nats-tries');
    channel.onmessage = (event) => {
      const { n, at } = (event as { data: { n: number; at: number } }).data;
      tries.set(n, [...(tries.get(n) ?? []), at]);
    };
    try {
      const delay = 1000;
      const run = await runJetStream(
        options({ deadLetterSubject: 'dlq', engine: { transform: fixture('nats-tries.js'), threads: 1, concurrency: 4, retry: { attempts: 2, backoff: { initial: delay, max: delay } } } }),
      );
      const stats = await within(run.done, 'the run to drain the stream');
      assert.equal(stats.naked, 3);
      assert.equal(stats.termed, 3);
      await until(() => [...tries.values()].flat().length === 6, 'both tries of each message to be heard', () => [...tries]);
      for (const [n, [first, second]] of tries) {
        // A lower bound only: the server redelivers a nak-ed message after its delay, never before.
        assert.ok(second! - first! >= delay, `message ${n} came back after ${second! - first!} ms, under the ${delay} ms backoff`);
      }
    } finally {
      channel.close();
    }
    await session.close();
  });

  for (const [concurrency, input] of [
    [4, undefined],
    [4, 16],
  ] as const) {
    test(`booking is bounded: with every slot held (concurrency ${concurrency}, input buffer ${input ?? 'default'}) the consumer has at most concurrency + 2 x input buffer delivered`, async () => {
      await fresh();
      await publishAll(session.js, 'in', Array.from({ length: 300 }, (_, n) => ({ n, hold: true })));
      const pulls = pullRequests(session.nc, 'IN', 'workers');
      await session.nc.flush();
      const buffer = input ?? concurrency; // the input buffer defaults to the concurrency
      const bound = concurrency + 2 * buffer; // the engine's slots and input buffer, and consume()'s own buffer (max_messages)
      const run = await runJetStream(
        options({ stopWhenDrained: false, engine: { transform: fixture('nats-held.js'), threads: 1, concurrency, ...(input === undefined ? {} : { buffers: { input: { messages: input } } }) } }),
      );
      const release = (): void => {
        const channel = new BroadcastChannel('tidemark-nats-held');
        channel.postMessage('release');
        channel.close();
      };
      try {
        await until(() => run.engine.processing === concurrency && run.stats.received === concurrency + buffer, 'every slot and the input buffer full', () => [run.engine.processing, run.stats]);
        // Settled: every pull request the run made has been answered (300 messages are there to answer them), and
        // with nothing taken from its buffer it makes no other. A run that kept asking never gets there, and passes the bound.
        let info = await session.jsm.consumers.info('IN', 'workers');
        for (const deadline = performance.now() + 30_000; info.delivered.consumer_seq !== pulls.requested && info.num_ack_pending <= bound; ) {
          assert.ok(performance.now() < deadline, `the consumer never settled: ${info.delivered.consumer_seq} delivered, ${pulls.requested} asked for`);
          await pause(20);
          info = await session.jsm.consumers.info('IN', 'workers');
        }
        assert.ok(info.num_ack_pending <= bound, `${info.num_ack_pending} messages booked, over ${bound}`);
        assert.ok(info.num_ack_pending >= concurrency + buffer, `${info.num_ack_pending} booked`);
        release();
        await until(() => run.stats.acked === 300, 'every message acked once released', () => run.stats);
      } finally {
        pulls.stop();
        release();
        run.stop();
        await within(run.done, 'the run to stop');
        await session.close();
      }
    });
  }

  test('the event time comes from the Tidemark-Event-Time header, else from the time the stream stored the message', async () => {
    await fresh();
    await publishAll(session.js, 'in', [1, 2, 3], (i) => 1000 * (i + 1));
    await session.js.publish('in', '4');
    const stored = (await session.jsm.streams.getMessage('IN', { seq: 4 }))?.timestamp;
    const run = await runJetStream(options());
    await within(run.done, 'the run to drain the stream');
    const out = await readStream(session.js, session.jsm, 'OUT');
    const times = new Map(out.map((msg) => [msg.json<number>(), Number(msg.headers?.get('Tidemark-Event-Time'))]));
    assert.deepEqual([times.get(2), times.get(4), times.get(6)], [1000, 2000, 3000]);
    assert.equal(times.get(8), Date.parse(stored as string), 'the stored time, in ms');
    await session.close();
  });

  test('a message in flight longer than AckWait is kept with working(), not redelivered', async () => {
    await fresh();
    // AckWait 2 s; the message takes 5 s: without working() JetStream would deliver it twice more meanwhile.
    await publishAll(session.js, 'in', [{ ms: 5000, n: 1 }, { ms: 0, n: 2 }]);
    const run = await runJetStream(options({ ackWait: 2000, engine: { transform: fixture('await-ms.js'), threads: 1, concurrency: 4 } }));
    const stats = await within(run.done, 'the run to drain the stream');
    assert.equal(stats.redelivered, 0);
    assert.equal(stats.received, 2);
    assert.equal(stats.acked, 2);
    assert.equal((await readStream(session.js, session.jsm, 'OUT')).length, 2);
    await session.close();
  });

  test("a second stage reading the first's sink stream takes the first's shared watermark as its input watermark", async () => {
    await fresh();
    await session.jsm.streams.add({ name: 'MID', subjects: ['mid'], duplicate_window: 120_000_000_000 });
    await publishAll(session.js, 'in', Array.from({ length: 3000 }, (_, i) => i), (i) => 1_000_000 + i);
    const first = await runJetStream(options({ sinkSubject: 'mid', watermarkBucket: 'stage1', processor: 'one', heartbeat: 50 }));
    const put: number[] = [];
    first.on('watermark', (value) => put.push(value));
    const second = await runJetStream(
      options({
        stream: 'MID',
        consumer: 'second',
        stopWhenDrained: false,
        upstreamWatermarkBucket: 'stage1',
        heartbeat: 50,
        // Only the stage before's watermark moves this engine's.
        engine: { transform: fixture('double.js'), threads: 1, concurrency: 8, watermark: { maxOutOfOrderness: Number.POSITIVE_INFINITY } },
      }),
    );
    const seen: number[] = [];
    second.engine.on('watermark', (value) => seen.push(value));
    await within(first.done, 'the first stage to drain');
    await until(() => second.stats.acked === 3000, 'the second stage to take everything', () => second.stats);
    second.stop();
    await within(second.done, 'the second stage to stop');
    assert.ok(seen.length > 0 && Number.isFinite(seen.at(-1)), `the second stage's watermark moved: ${seen.length} rises`);
    assert.ok(Math.max(...seen) <= Math.max(...put), 'never past what the first stage delivered');
    assert.ok(Math.max(...seen) >= 1_000_000, 'an event time of the input');
    await session.close();
  });

  test('bad options throw InvalidOptionError naming the option; an unreachable server or a missing stream, BrokerError', async () => {
    await assert.rejects(runJetStream(options({ stream: 'a.b' })), (error) => error instanceof InvalidOptionError && error.option === 'stream');
    await assert.rejects(runJetStream(options({ sinkSubject: 'out.*' })), (error) => error instanceof InvalidOptionError && error.option === 'sinkSubject');
    await assert.rejects(runJetStream(options({ servers: 'http://x' })), (error) => error instanceof InvalidOptionError && error.option === 'servers');
    await assert.rejects(runJetStream(options({ ackWait: 10 })), (error) => error instanceof InvalidOptionError && error.option === 'ackWait');
    await assert.rejects(
      runJetStream(options({ engine: { transform: fixture('double.js'), threads: 0 } })),
      (error) => error instanceof InvalidOptionError && error.option === 'threads',
    );
    await assert.rejects(runJetStream(options({ stream: 'NOPE' })), (error) => error instanceof BrokerError && /no stream NOPE/.test(error.message));
    await assert.rejects(runJetStream(options({ servers: 'nats://127.0.0.1:1' })), (error) => error instanceof BrokerError && error.code === 'ERR_TIDEMARK_BROKER');
  });
});
