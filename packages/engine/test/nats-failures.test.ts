import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AckPolicy } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { BrokerError } from '../src/index.js';
import { runJetStream } from '../src/nats/run-jetstream.js';
import type { JetStreamRunOptions } from '../src/nats/jetstream-options.js';
import { startNatsServer } from '../src/workload/nats-server.js';
import { addStreams, jetStreamSession, jsonOf, publishAll, readStream } from './helpers/jetstream.js';
import { until, within } from './helpers/wait.js';

// What an adversarial pass did to the JetStream run, each as the user did it.

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const server = await startNatsServer();
  const session = await jetStreamSession(server.url);
  t.after(async () => {
    await session.close().catch(() => {});
    await server.stop();
  });
  await addStreams(session.jsm);
  const options = (over: Partial<JetStreamRunOptions> = {}): JetStreamRunOptions => ({
    servers: server.url,
    stream: 'IN',
    consumer: 'workers',
    sinkSubject: 'out',
    stopWhenDrained: true,
    engine: { transform: fixture('nats-held.js'), threads: 1, concurrency: 8 },
    ...over,
  });
  return { server, session, options };
}

test('two consumers of one stream publishing into one sink stream keep each other’s records', async (t) => {
  const { session, options } = await setup(t);
  await session.jsm.streams.update('OUT', { subjects: ['out', 'out.>'] });
  await publishAll(session.js, 'in', Array.from({ length: 10 }, (_, n) => ({ n })));
  const a = await runJetStream(options({ consumer: 'a', sinkSubject: 'out.a' }));
  const b = await runJetStream(options({ consumer: 'b', sinkSubject: 'out.b' }));
  const [sa, sb] = await within(Promise.all([a.done, b.done]), 'both runs to drain');
  assert.equal(sa.published + sb.published, 20);
  assert.equal(sa.duplicates + sb.duplicates, 0);
  assert.equal((await readStream(session.js, session.jsm, 'OUT')).length, 20);
});

test("a consumer's max_deliver below the attempts: the last delivery dead-letters, nothing is dropped silently", async (t) => {
  const { session, options } = await setup(t);
  await session.jsm.consumers.add('IN', { durable_name: 'workers', ack_policy: AckPolicy.Explicit, max_deliver: 2 });
  await publishAll(session.js, 'in', Array.from({ length: 3 }, (_, n) => ({ n, fail: true })));
  const run = await runJetStream(options({ deadLetterSubject: 'dlq', engine: { transform: fixture('nats-held.js'), threads: 1, retry: { attempts: 5, backoff: { initial: 1, max: 2 } } } }));
  const stats = await within(run.done, 'the run to drain');
  assert.equal(stats.naked, 3);
  assert.equal(stats.termed, 3);
  const dead = jsonOf(await readStream(session.js, session.jsm, 'DLQ')) as { attempts: number }[];
  assert.deepEqual(dead.map((record) => record.attempts), [2, 2, 2], 'each says its two deliveries');
});

test('a sink or dead-letter subject that no stream captures is a BrokerError before anything is read', async (t) => {
  const { session, options } = await setup(t);
  await publishAll(session.js, 'in', [{ n: 1 }]);
  await assert.rejects(runJetStream(options({ sinkSubject: 'nowhere' })), (error) => error instanceof BrokerError && /no stream captures `sinkSubject` nowhere/.test(error.message));
  await assert.rejects(runJetStream(options({ deadLetterSubject: 'nowhere' })), (error) => error instanceof BrokerError && /`deadLetterSubject` nowhere/.test(error.message));
  const info = await session.jsm.consumers.info('IN', 'workers').catch(() => undefined);
  assert.equal(info?.delivered.stream_seq ?? 0, 0, 'nothing was delivered');
});

test('the sink stream deleted mid-run: publishes fail, each message comes back until its deliveries are spent, then is dead-lettered', async (t) => {
  const { session, options } = await setup(t);
  await publishAll(session.js, 'in', Array.from({ length: 5 }, (_, n) => ({ n, hold: true })));
  const run = await runJetStream(options({ deadLetterSubject: 'dlq', engine: { transform: fixture('nats-held.js'), threads: 1, concurrency: 8, retry: { attempts: 2, backoff: { initial: 1, max: 2 } } } }));
  await until(() => run.engine.processing === 5, 'the five messages at the worker', () => run.engine.processing);
  await session.jsm.streams.delete('OUT');
  const channel = new BroadcastChannel('tidemark-nats-held');
  channel.postMessage('release');
  channel.close();
  const stats = await within(run.done, 'the run to drain');
  assert.equal(stats.publishFailures, 10, 'two deliveries each');
  assert.equal(stats.naked, 5);
  assert.equal(stats.termed, 5);
  const dead = jsonOf(await readStream(session.js, session.jsm, 'DLQ')) as { error: { code: string } }[];
  assert.deepEqual(dead.map((record) => record.error.code), Array<string>(5).fill('ERR_TIDEMARK_BROKER'));
});

test('a server gone for good ends the run with a BrokerError, not a clean end', { timeout: 120_000 }, async (t) => {
  const { server, session, options } = await setup(t);
  await publishAll(session.js, 'in', Array.from({ length: 20 }, (_, n) => ({ n, hold: n >= 10 })));
  const run = await runJetStream(options({ watermarkBucket: 'wm', reconnect: { attempts: 2, wait: 250 } }));
  await until(() => run.stats.acked === 10, 'the first ten acked', () => run.stats);
  await session.close();
  server.kill();
  // The ten held messages finish now, with no server to publish to or ack at.
  const channel = new BroadcastChannel('tidemark-nats-held');
  channel.postMessage('release');
  channel.close();
  // nats.js tries to reconnect (twice, 250 ms apart, here) before it gives up.
  await assert.rejects(within(run.done, 'the run to fail', 90_000), (error) => error instanceof BrokerError && /lost the connection/.test(error.message));
});

test('a run whose signal is already aborted reads nothing and leaves nothing booked', async (t) => {
  const { session, options } = await setup(t);
  await session.jsm.consumers.add('IN', { durable_name: 'workers', ack_policy: AckPolicy.Explicit, ack_wait: 600_000_000_000 });
  await publishAll(session.js, 'in', Array.from({ length: 20 }, (_, n) => ({ n })));
  const run = await runJetStream(options({ signal: AbortSignal.abort() }));
  const stats = await within(run.done, 'the run to end');
  assert.equal(stats.acked, 0);
  const second = await runJetStream(options());
  const all = await within(second.done, 'a second run to take all twenty at once (no AckWait to sit out)');
  assert.equal(all.acked, 20);
});

test("retries: 'engine' retries in this process: the message is not nak-ed and its output is on time", async (t) => {
  const { session, options } = await setup(t);
  await publishAll(
    session.js,
    'in',
    Array.from({ length: 50 }, (_, n) => (n % 10 === 3 ? { op: 'fail-until', n: 1 } : { op: 'fail-until', n: 0 })),
    (i) => 1_000_000 + i,
  );
  const run = await runJetStream(
    options({ retries: 'engine', engine: { transform: fixture('flaky.js'), threads: 1, concurrency: 4, retry: { attempts: 3, backoff: { initial: 1, max: 2 } } } }),
  );
  const stats = await within(run.done, 'the run to drain');
  assert.equal(stats.naked, 0);
  assert.equal(stats.acked, 50);
  assert.equal(run.engine.stats?.retried, 5);
  const out = await readStream(session.js, session.jsm, 'OUT');
  assert.equal(out.filter((msg) => msg.headers?.get('Tidemark-Late') === '1').length, 0, 'no output is late');
  assert.deepEqual(jsonOf(out).filter((value) => value === 2).length, 5, 'the five retried came out of their second try');
});

test('a run stopped with messages it read but never processed leaves its watermark key to go stale (its peers hold for them); a drained one removes it', async (t) => {
  const { session, options } = await setup(t);
  await publishAll(session.js, 'in', Array.from({ length: 50 }, (_, n) => ({ n, hold: true })));
  const run = await runJetStream(options({ stopWhenDrained: false, watermarkBucket: 'wm', processor: 'quitter', ackWait: 2000, engine: { transform: fixture('nats-held.js'), threads: 1, concurrency: 4 } }));
  await until(() => run.engine.processing === 4 && run.stats.received === 8, 'every slot and the input buffer full', () => run.stats);
  // consume() has more in its own buffer: read, never to be processed here.
  await within(
    (async () => {
      while ((await session.jsm.consumers.info('IN', 'workers')).num_ack_pending <= 8) await session.nc.flush();
    })(),
    'consume() to buffer more than the engine took',
  );
  run.stop();
  const channel = new BroadcastChannel('tidemark-nats-held');
  channel.postMessage('release');
  channel.close();
  const stats = await within(run.done, 'the run to stop');
  assert.ok(stats.returned > 0, `handed back unprocessed: ${stats.returned}`);
  const kv = await new Kvm(session.nc).open('wm');
  assert.equal((await kv.get('quitter'))?.operation, 'PUT', 'the key stays, to go stale');

  const drained = await runJetStream(options({ watermarkBucket: 'wm', processor: 'drained', engine: { transform: fixture('nats-held.js'), threads: 1, concurrency: 4 } }));
  await until(() => drained.engine.processing > 0, 'the second run to take the rest');
  const again = new BroadcastChannel('tidemark-nats-held');
  again.postMessage('release');
  again.close();
  assert.equal((await within(drained.done, 'the second run to drain')).acked, 50 - stats.acked);
  assert.notEqual((await kv.get('drained'))?.operation, 'PUT', 'the key is removed');
});
