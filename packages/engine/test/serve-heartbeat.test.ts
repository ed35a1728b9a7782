import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { before, test } from 'node:test';
import type { WebSocket } from 'ws';
import { EngineDisconnectedError, connectEngine, webSocketEndpoint } from '../src/client/index.js';
import type { EngineRecord, RemoteEngine, SourceRecord } from '../src/client/index.js';
import { allLimited, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';
import { deferred } from './helpers/deferred.js';
import { openSocket, rejection, transform } from './helpers/serve-host.js';
import type { Skewed } from './helpers/serve-host.js';
import { ServeSession } from './helpers/serve-session.js';
import { until, within } from './helpers/wait.js';

// `tidemark serve --heartbeat`: hosts whose connection dies without a close
// (a peer that never answers a ping, a peer that stopped reading, as when
// its machine or network goes away) must not keep their runs, engines and
// worker threads on the server for ever. The server's own ping timer is
// the behaviour under test; the test waits on what the server printed and
// on its threads, each wait bounded, and asserts nothing about time.
before(requireBuiltCli);

const heartbeat = 500;

/** OS threads of process `pid` now (each of the server's engine workers is one). */
function threadsOf(pid: number): number {
  const line = /^Threads:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1]);
}

/** The TCP socket under a `ws` WebSocket (ws keeps it in `_socket`). */
const rawSocket = (socket: WebSocket): Socket => (socket as unknown as { _socket: Socket })._socket;

/** Messages for node-host-skewed.mjs, 1 ms each, for as long as `more()` says. */
function* messages(more: () => boolean): Generator<SourceRecord<Skewed>> {
  for (let id = 0; more(); id++) yield { value: { id, ms: 1, fail: false }, eventTime: id };
}

/** A host on its own socket, running `source` from the start; `first` resolves at its first record. */
async function host(socket: WebSocket, source: Iterable<SourceRecord<Skewed>>) {
  const engine: RemoteEngine = await connectEngine(webSocketEndpoint(socket), { transform, threads: 1, concurrency: 4 });
  const first = deferred();
  const records: EngineRecord<unknown>[] = [];
  const run = (async () => {
    for await (const record of engine.process(source)) {
      records.push(record);
      first.resolve();
    }
  })();
  run.catch(() => {}); // awaited by the test
  await within(first.promise, 'the first record of a run');
  return { engine, run, records };
}

test('--heartbeat: a host that stops answering pings, or stops reading, is closed with "no pong within …" and its runs, engines and workers go; a live host keeps its run', async (t) => {
  const serve = await ServeSession.start(t, ['--heartbeat', String(heartbeat)]);
  const pid = serve.child.pid ?? assert.fail('the server has a pid');

  // Connection 1: a live host (ws answers pings by itself), whose run lasts until it has been pinged 3 times.
  const live = await openSocket(serve.url);
  let pings = 0;
  live.on('ping', () => pings++);
  const liveHost = await host(live, messages(() => pings < 3));
  // Connection 2: a host that never answers a ping.
  const silent = await openSocket(serve.url, { autoPong: false });
  const silentHost = await host(silent, messages(() => true));
  // Connection 3: a host that stops reading its socket mid-run (its TCP connection is dead, with no FIN).
  const stalled = await openSocket(serve.url);
  t.after(() => stalled.terminate());
  const stalledHost = await host(stalled, messages(() => true));
  rawSocket(stalled).pause();
  const running = threadsOf(pid);

  for (const id of [2, 3]) {
    await serve.until(() => new RegExp(`^tidemark: connection ${id} closed: no pong within ${heartbeat} ms`, 'm').test(serve.stderr), `connection ${id} to be closed by the heartbeat`);
  }
  // Their engines are closed (the line comes after that), so their worker threads are gone.
  await until(() => threadsOf(pid) <= running - 2, 'the dead hosts\' engine workers to end', () => ({ threads: threadsOf(pid), running }));
  // The host that did not answer sees its connection dropped: its run ends with EngineDisconnectedError.
  const error = await rejection(() => within(silentHost.run, 'the silent host\'s run to end'));
  assert.ok(error instanceof EngineDisconnectedError, String(error));
  assert.ok(silentHost.records.length > 0);
  assert.ok(stalledHost.records.length > 0);

  // The live host was pinged 3 times, answered, and kept its connection: its run ends as a run does.
  await within(liveHost.run, 'the live host\'s run to end (3 pings)');
  assert.ok(liveHost.records.length > 0);
  for (const record of liveHost.records) assert.equal(record.kind, 'output', JSON.stringify(record));
  assert.equal(liveHost.engine.stats?.acked, liveHost.records.length, 'every message read came back');
  assert.doesNotMatch(serve.stderr, /^tidemark: connection 1 closed/m);
  assert.equal((await liveHost.engine.status()).processing, 0, 'the live connection still answers');
  await liveHost.engine.close();
  await serve.until(() => /^tidemark: connection 1 closed: /m.test(serve.stderr), 'the live connection to close');
  assert.doesNotMatch(serve.stderr, /^tidemark: connection 1 closed: no pong/m);
  await silentHost.engine.close();
  // The host that stopped reading finds, once it reads again, that the server let it go.
  rawSocket(stalled).resume();
  const stalledError = await rejection(() => within(stalledHost.run, 'the stalled host\'s run to end once it reads again'));
  assert.ok(stalledError instanceof EngineDisconnectedError, String(stalledError));
  await stalledHost.engine.close();
});

test('--heartbeat: a bad value is a usage error (exit 2, one line); --help shows the flag and its default', async (t) => {
  const dir = await tempDir(t);
  // Independent processes, each refused before it serves: started a few at a time, checked in order.
  const values = ['-1', 'soon', '', '1e12'];
  const exits = await allLimited(values.map((value) => () => within(tidemark(['serve', '--transforms', dir, '--heartbeat', value], undefined, t), `tidemark serve --heartbeat ${value} to exit`)));
  for (const [i, value] of values.entries()) {
    const exit = exits[i]!;
    assert.equal(exit.code, 2, `--heartbeat ${value}: ${exit.stderr}`);
    assert.equal(exit.stdout, '');
    assert.match(stderrLines(exit)[0] ?? '', new RegExp(`--heartbeat <ms>' argument '${value.replace('.', '\\.')}' is invalid\\. expected a number of ms from 0 to \\d+`));
  }
  const help = await within(tidemark(['serve', '--help'], undefined, t), 'tidemark serve --help to exit');
  assert.equal(help.code, 0);
  assert.match(help.stdout.replace(/\s+/g, ' '), /--heartbeat <ms> .*no pong.*0: never.*\(default: 30000\)/);
});
