import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { AckPolicy } from '@nats-io/jetstream';
import { allLimited, cli, cliFixture, requireBuiltCli, tidemark } from './helpers/cli.js';
import type { Exit } from './helpers/cli.js';
import { addStreams, jetStreamSession, publishAll, readStream } from './helpers/jetstream.js';
import { startNatsServer } from '../src/workload/nats-server.js';
import { until, within } from './helpers/wait.js';

test('the JetStream flags: each needs --source, --source needs its three, and conflicts with the file flags', async (t) => {
  requireBuiltCli();
  const transform = cliFixture('double.js');
  const full = ['run', '--transform', transform, '--source', 'nats://127.0.0.1:1', '--stream', 'S', '--consumer', 'C', '--sink-subject', 'T'];
  // Independent processes, each refused up front (none reaches a server): started a few at a time, checked below in order.
  const [orphan, missing, both, badWait, badSubject, heartbeat, unreachable] = (await allLimited([
    () => tidemark(['run', '--transform', transform, '--stream', 'S', '--sink-subject', 'T'], '', t),
    () => tidemark(['run', '--transform', transform, '--source', 'nats://127.0.0.1:1', '--stream', 'S', '--sink-subject', 'T'], '', t),
    () => tidemark(['run', '--transform', transform, '--source', 'nats://127.0.0.1:1', '--input', 'x.ndjson'], '', t),
    () => tidemark([...full, '--ack-wait', '5'], '', t),
    () => tidemark([...full.slice(0, -1), 'T.>'], '', t),
    () => tidemark([...full, '--heartbeat', '100'], '', t),
    () => tidemark(full, '', t),
  ])) as [Exit, Exit, Exit, Exit, Exit, Exit, Exit];
  assert.equal(orphan.code, 2);
  assert.match(orphan.stderr, /--stream, --sink-subject need --source/);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--source needs --consumer/);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /option '--source <url>' cannot be used with option '--input <file>'/);
  assert.equal(badWait.code, 2);
  assert.match(badWait.stderr, /Expected `--ack-wait` to be an integer number of ms from 1000/);
  assert.equal(badSubject.code, 2);
  assert.match(badSubject.stderr, /Expected `--sink-subject` to be a subject without wildcards/);
  assert.equal(heartbeat.code, 2);
  assert.match(heartbeat.stderr, /--heartbeat needs --watermark-bucket/);
  assert.equal(unreachable.code, 2);
  assert.match(unreachable.stderr, /^tidemark: ERR_TIDEMARK_BROKER: cannot connect to nats:\/\/127\.0\.0\.1:1/m);
});

test('SIGTERM stops reading, settles what was read and exits 143; a second run takes the rest: nothing lost', { timeout: 300_000 }, async (t) => {
  requireBuiltCli();
  const server = await startNatsServer();
  const session = await jetStreamSession(server.url);
  t.after(async () => {
    await session.close();
    await server.stop();
  });
  await addStreams(session.jsm);
  // A short AckWait: a pull the server answers after the stop (its messages reach no one) comes back soon.
  await session.jsm.consumers.add('IN', { durable_name: 'c', ack_policy: AckPolicy.Explicit, ack_wait: 3_000_000_000 });
  const total = 2000;
  await publishAll(session.js, 'in', Array.from({ length: total }, (_, n) => ({ n, ms: 2 })));
  let outputs = 0;
  const sub = session.nc.subscribe('out', {
    callback: () => {
      outputs++;
    },
  });
  const args = ['run', '--source', server.url, '--stream', 'IN', '--consumer', 'c', '--sink-subject', 'out', '--transform', cliFixture('await-ms.js'), '--threads', '1', '--quiet'];
  const first = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  first.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await until(() => outputs >= 200, '200 outputs', () => ({ outputs, stderr }), 120_000);
  first.kill('SIGTERM');
  const [code] = (await within(once(first, 'exit'), 'the first run to exit on SIGTERM', 60_000)) as [number | null];
  assert.equal(code, 143, stderr);
  assert.match(stderr, /SIGTERM: stopping/);
  // What it read is settled (acked); what consume() had fetched beyond it, handed back (nak) at once, and
  // a pull answered after the stop goes back after AckWait: at most one pull batch (the input buffer, 4) of it.
  const returned = Number(/(\d+) returned/.exec(stderr)?.[1]);
  const info = await session.jsm.consumers.info('IN', 'c');
  assert.ok(info.num_ack_pending <= returned + 4, `unsettled after exit: ${info.num_ack_pending}; ${stderr}`);
  const acked = Number(/(\d+) acked/.exec(stderr)?.[1]);
  assert.ok(acked >= 200 && acked < total, stderr);
  const second = await tidemark([...args, '--exit-when-drained'], '', t);
  assert.equal(second.code, 0, second.stderr);
  sub.unsubscribe();
  const stored = await readStream(session.js, session.jsm, 'OUT');
  assert.deepEqual(new Set(stored.map((msg) => msg.json<{ n: number }>().n)).size, total);
  assert.equal(stored.length, total);
});
