import assert from 'node:assert/strict';
import { Duplex, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MessageChannel } from 'node:worker_threads';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { TransformLoadError, connectEngine, exposeEngine, spawnEngine } from '../src/embed/index.js';
import type { ExposedEngines, RemoteEngine, RemoteEngineOptions, RemoteStatus } from '../src/embed/index.js';
import { feedWindow } from '../src/embed/engine-server.js';
import type { EngineRecord, SourceRecord } from '../src/index.js';
import { deferred } from './helpers/deferred.js';
import { fixture } from './helpers/gates.js';
import { WAIT_LIMIT_MS, until, within } from './helpers/wait.js';
import { countingSource as anySource, offsets, range, readAll } from './helpers/web-streams.js';

/** The source of these tests: items keyed `k0`…`k4`, event times from 1,000. */
const countingSource = (count = Number.POSITIVE_INFINITY) => anySource(count, { item: (n) => ({ value: n, key: `k${n % 5}`, eventTime: 1_000 + n }) });

// `readable.pipeThrough(engine.transformStream())` over a remote engine: the
// WHATWG adapter (src/streams/transform-stream.ts) driving RemoteEngine.process,
// with the engine in a worker of its own (spawnEngine) and served over a
// MessageChannel in this thread (exposeEngine + connectEngine).

/** Each record is its message's: the identity transform's output, key and event time kept. */
function checkRecords(records: readonly EngineRecord[], count: number): void {
  assert.deepEqual(offsets(records), range(count), 'every message once');
  for (const record of records) {
    assert.equal(record.kind, 'output', JSON.stringify(record));
    assert.deepEqual([record.value, record.key, record.eventTime], [record.offset, `k${record.offset % 5}`, 1_000 + record.offset]);
  }
}

/** A whole run through a new pair on `engine`, with pipeTo: every message once. */
async function pipeRun(engine: RemoteEngine, count: number, what: string): Promise<void> {
  const records: EngineRecord[] = [];
  const sink = new WritableStream<EngineRecord>({ write: (record) => void records.push(record) });
  await within(countingSource(count).stream.pipeThrough(engine.transformStream()).pipeTo(sink), what);
  checkRecords(records, count);
}

interface Remote {
  readonly engine: RemoteEngine;
  /** The far side's view, where the test serves it itself. */
  readonly exposed?: ExposedEngines;
}

/** The two ways a remote engine is made here; each closed when `t` ends. */
const remotes: readonly { readonly name: string; open(t: TestContext, options: RemoteEngineOptions): Promise<Remote> }[] = [
  {
    name: 'spawnEngine',
    async open(t, options) {
      const engine = await spawnEngine(options);
      t.after(() => engine.close());
      return { engine };
    },
  },
  {
    name: 'exposeEngine + connectEngine over a MessageChannel',
    async open(t, options) {
      const { port1, port2 } = new MessageChannel();
      const exposed = exposeEngine(port2);
      const engine = await connectEngine(port1, options);
      t.after(async () => {
        await engine.close();
        await within(exposed.closed, 'the far side to close');
      });
      return { engine, exposed };
    },
  },
];

for (const remote of remotes) {
  test(`${remote.name}: readable.pipeThrough(engine.transformStream()).pipeTo(writable) hands every message over once`, async (t) => {
    const { engine } = await remote.open(t, { transform: fixture('identity.js'), threads: 2, concurrency: 8 });
    const count = 3_000;
    await pipeRun(engine, count, 'every record through pipeTo');
    const { stats, inFlight } = await engine.status();
    assert.deepEqual([stats?.read, stats?.acked, inFlight], [count, count, 0]);
    // A second pair on the same engine runs once the first is done.
    await pipeRun(engine, 500, 'a second run');
  });

  test(`${remote.name}: a held sink holds the far side back: its reads stay within the buffers, the answers and the feed windows`, async (t) => {
    const buffers = { input: { messages: 2 }, output: { messages: 3 } };
    const { engine } = await remote.open(t, { transform: fixture('identity.js'), threads: 1, concurrency: 4, buffers });
    const { input, processing, output } = engine.options.buffers;
    const maxInFlight = input.messages + processing.messages + output.messages;
    const count = 2_000;
    const source = countingSource(count);
    const release = deferred();
    const records: EngineRecord[] = [];
    // Every write waits for the release: pipeTo hands one record to the sink and queues one more (high-water mark 1).
    const sink = new WritableStream<EngineRecord>(
      {
        async write(record) {
          records.push(record);
          await release.promise;
        },
      },
      { highWaterMark: 1 },
    );
    const piping = source.stream.pipeThrough(engine.transformStream()).pipeTo(sink);
    piping.catch(() => {}); // awaited below
    t.after(() => release.resolve());
    await until(() => records.length > 0, 'the first record at the sink');
    // Nobody takes records: the far engine fills its output buffer, then its input buffer, and stops reading.
    // (Or, if something read ahead, until everything was read: the bounds below then fail at once.)
    const full = (fill: RemoteStatus['buffers']): boolean => fill.output.fill === output.messages && fill.input.fill === input.messages;
    const deadline = performance.now() + WAIT_LIMIT_MS;
    let status = await engine.status();
    while (!full(status.buffers) && status.stats?.read !== count) {
      assert.ok(performance.now() < deadline, `the far engine's output and input buffers never filled: ${JSON.stringify(status)}`);
      status = await engine.status();
    }
    // Read = acked + in flight, in flight at most the three buffers (what the host holds un-acked counts
    // there). Only whole answers the host's consumer has gone past are acked, and that consumer (the pair's
    // readable, high-water mark 0) has taken at most the sink's record, the one queued at the sink and the
    // one its pending pull waits for.
    const readBound = maxInFlight + 3;
    // What the source gave beyond that: a batch gathering on the host, the far inbox (a feed waits at the
    // window, plus one batch), the batch the far engine's reader holds, the item waiting in the pair's
    // one-slot channel, the one queued at its writable and the one pipeThrough holds.
    const window = feedWindow(engine.options.concurrency);
    const sourceBound = readBound + window + (2 * window - 1) + window + 3;
    for (let look = 0; look < 50; look++) {
      const read = status.stats?.read ?? 0;
      assert.ok(read <= readBound, `the far side read ${read} with the sink held (bound ${readBound}): ${JSON.stringify(status)}`);
      assert.ok(source.produced <= sourceBound, `the source gave ${source.produced} with the sink held (bound ${sourceBound})`);
      status = await engine.status();
    }
    assert.ok(source.produced < count, 'the source was not read to its end');
    release.resolve();
    await within(piping, 'every record once the sink goes on');
    checkRecords(records, count);
    assert.equal(source.produced, count);
  });

  test(`${remote.name}: a TransformLoadError errors the stream with its class and code, and cancels the source`, async (t) => {
    const { engine } = await remote.open(t, { transform: fixture('no-default.js'), threads: 1 });
    // Endless, so that the source is still open when the run fails (a closed stream has nothing to cancel).
    const source = countingSource();
    const records: EngineRecord[] = [];
    const sink = new WritableStream<EngineRecord>({ write: (record) => void records.push(record) });
    const error = await within(
      source.stream.pipeThrough(engine.transformStream()).pipeTo(sink).then(
        () => assert.fail('pipeTo resolved'),
        (thrown: unknown) => thrown,
      ),
      'pipeTo to reject',
    );
    assert.equal(records.length, 0);
    assert.ok(error instanceof TransformLoadError, `a TransformLoadError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_TIDEMARK_TRANSFORM_LOAD');
    await until(() => source.cancelled !== undefined, 'the source to be cancelled');
    assert.equal(source.cancelled?.reason, error);
  });

  test(`${remote.name}: cancelling the readable mid-run ends the far run, cancels the source, and the engine runs again`, async (t) => {
    const { engine, exposed } = await remote.open(t, { transform: fixture('identity.js'), threads: 2, concurrency: 8 });
    const source = countingSource();
    const reason = new Error('seen enough');
    const reader = source.stream.pipeThrough(engine.transformStream()).getReader();
    const { records, error } = await within(
      readAll(reader, (count) => (count === 100 ? reader.cancel(reason) : undefined)),
      'the readable to be cancelled',
    );
    assert.equal(error, undefined, 'a cancelled reader reads done');
    assert.equal(records.length, 100);
    await until(() => source.cancelled !== undefined, 'the source to be cancelled');
    assert.equal(source.cancelled?.reason, reason);
    // cancel() resolved once the far run was over.
    if (exposed !== undefined) assert.equal(exposed.runs, 0, 'no run is left on the far side');
    await pipeRun(engine, 300, 'a run after the cancel');
  });

  test(`${remote.name}: aborting transformStream({ signal }) stops reading; what was read still comes out, and the engine runs again`, async (t) => {
    const { engine } = await remote.open(t, { transform: fixture('identity.js'), threads: 2, concurrency: 8 });
    const source = countingSource();
    const abort = new AbortController();
    const reason = new Error('enough');
    const reader = source.stream.pipeThrough(engine.transformStream({ signal: abort.signal })).getReader();
    const { records, error } = await within(
      readAll(reader, (count) => (count === 100 ? abort.abort(reason) : undefined)),
      'the readable to end',
    );
    assert.equal(error, undefined);
    const status = await engine.status();
    const read = status.stats?.read ?? 0;
    assert.ok(read >= 100);
    assert.deepEqual(offsets(records), range(read), 'every message read came out, once');
    assert.equal(status.inFlight, 0, 'the run drained');
    await until(() => source.cancelled !== undefined, 'the source to be cancelled');
    assert.equal(source.cancelled?.reason, reason);
    await pipeRun(engine, 300, 'a run after the abort');
  });
}

// RemoteEngine has no Node `stream()`; the README points at Duplex.fromWeb instead.
test('Duplex.fromWeb(engine.transformStream(), { objectMode: true }) in stream.pipeline: every message once, a TransformLoadError with its class', async (t) => {
  const engine = await spawnEngine({ transform: fixture('identity.js'), threads: 2, concurrency: 8 });
  t.after(() => engine.close());
  const count = 2_000;
  const records: EngineRecord[] = [];
  const sink = (): Writable =>
    new Writable({
      objectMode: true,
      write(record: EngineRecord, _encoding, done) {
        records.push(record);
        done();
      },
    });
  const items = (n: number): SourceRecord[] => range(n).map((id) => ({ value: id, key: `k${id % 5}`, eventTime: 1_000 + id }));
  await within(pipeline(Readable.from(items(count)), Duplex.fromWeb(engine.transformStream(), { objectMode: true }), sink()), 'the pipeline');
  checkRecords(records, count);

  const failing = await spawnEngine({ transform: fixture('no-default.js'), threads: 1 });
  t.after(() => failing.close());
  const error = await within(
    pipeline(Readable.from(items(10)), Duplex.fromWeb(failing.transformStream(), { objectMode: true }), sink()).then(
      () => assert.fail('the pipeline resolved'),
      (thrown: unknown) => thrown,
    ),
    'the pipeline to reject',
  );
  assert.ok(error instanceof TransformLoadError, `a TransformLoadError, got ${String(error)}`);
  assert.equal(error.code, 'ERR_TIDEMARK_TRANSFORM_LOAD');
});
