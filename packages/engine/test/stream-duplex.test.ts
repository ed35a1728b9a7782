import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { test } from 'node:test';
import { Engine, EngineBusyError, TransformLoadError } from '../src/index.js';
import type { EngineOptions, EngineRecord, SourceRecord } from '../src/index.js';
import { deferred } from './helpers/deferred.js';
import { Gates, fixture, gatedEngine } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

/** A source stream of `count` items (endless by default) that counts what it gave and sees its release. */
function countingSource(count = Number.POSITIVE_INFINITY, item: (n: number) => SourceRecord = (n) => ({ value: n })) {
  const source = { produced: 0, released: false, stream: undefined as unknown as Readable };
  function* items(): Generator<SourceRecord> {
    try {
      for (let n = 0; n < count; n++) {
        source.produced++;
        yield item(n);
      }
    } finally {
      source.released = true;
    }
  }
  source.stream = Readable.from(items(), { highWaterMark: 1 });
  return source;
}

/** A destination that collects records; each write first waits for `gate` (when given), and `onRecord` sees it. */
function collector(options: { gate?: Promise<void>; onRecord?: (record: EngineRecord, count: number) => void } = {}) {
  const records: EngineRecord[] = [];
  const stream = new Writable({
    objectMode: true,
    highWaterMark: 1,
    write(record: EngineRecord, _encoding, done) {
      records.push(record);
      options.onRecord?.(record, records.length);
      if (options.gate === undefined) done();
      else options.gate.then(() => done(), done);
    },
  });
  return { records, stream };
}

const offsets = (records: readonly EngineRecord[]): number[] => records.map((record) => record.offset).sort((a, b) => a - b);
const range = (count: number): number[] => Array.from({ length: count }, (_, n) => n);

/** Let the event loop turn `count` times: whatever the streams would still do, they get the chance to. */
async function turns(count: number): Promise<void> {
  for (let n = 0; n < count; n++) await nextTurn();
}

/**
 * Resolves when `duplex` emits `close`: the engine may run again from then
 * on. A pipeline may reject a moment before (it does not wait for a
 * destroyed stream's `close`).
 */
function closeOf(duplex: Duplex): Promise<void> {
  return new Promise((resolve) => duplex.once('close', () => resolve()));
}

/** A whole second run on `engine`, through a new duplex: every message once. */
async function secondRun(engine: Engine): Promise<void> {
  const source = countingSource(300);
  const sink = collector();
  await within(pipeline(source.stream, engine.stream(), sink.stream), 'a second run on the same engine');
  assert.deepEqual(offsets(sink.records), range(300));
}

forEachTransport((transport) => {
  const engineWith = (options: Omit<EngineOptions, 'transport'>): Engine => new Engine({ transport, threads: 2, concurrency: 8, ...options });

  test('pipeline(src, engine.stream(), dst) hands every message over exactly once, keys and event times kept', async (t) => {
    const engine = engineWith({ transform: fixture('identity.js') });
    t.after(() => engine.close());
    const count = 3_000;
    const source = countingSource(count, (n) => ({ value: n, key: `k${n % 7}`, eventTime: 1_000 + n }));
    const sink = collector();
    await within(pipeline(source.stream, engine.stream(), sink.stream), 'the pipeline');
    assert.deepEqual(offsets(sink.records), range(count));
    for (const record of sink.records) {
      assert.equal(record.kind, 'output');
      assert.deepEqual([record.value, record.key, record.eventTime], [record.offset, `k${record.offset % 7}`, 1_000 + record.offset]);
    }
    assert.deepEqual([engine.stats?.read, engine.stats?.acked], [count, count]);
  });

  test('a slow dst holds the source back: the engine stops at its buffers, the source at the duplex', async (t) => {
    const buffers = { input: { messages: 2 }, output: { messages: 3 } };
    const engine = engineWith({ transform: fixture('identity.js'), threads: 1, concurrency: 4, buffers });
    t.after(() => engine.close());
    const count = 500;
    const source = countingSource(count);
    const held = deferred();
    const sink = collector({ gate: held.promise });
    const piped = pipeline(source.stream, engine.stream(), sink.stream);
    // dst holds its first record. The engine fills its output buffer (nobody
    // takes), then its input buffer, and stops reading.
    // (Or, if the duplex ignored dst, until everything was read: the bound below then fails at once.)
    await until(
      () => (engine.buffers.output.fill === 3 && engine.buffers.input.fill === 2) || engine.stats?.read === count,
      'the output and input buffers to fill while dst is held',
      () => ({ buffers: engine.buffers, stats: engine.stats }),
    );
    await turns(200);
    // The most the engine may have read: its three buffers, the message whose
    // record the duplex took last (acked when it asks for the next), and two
    // records past the engine (one in the duplex's readable buffer, one in
    // dst's held write; both have a high-water mark of 1).
    const bound = 2 + 4 + 3 + 1 + 2;
    const read = engine.stats?.read ?? 0;
    assert.ok(read <= bound, `read ${read} messages while dst was held; at most ${bound}`);
    assert.equal(sink.records.length, 1, 'dst got one record and holds it');
    // Past the engine's reading: the item of the duplex's one write (waiting
    // for the engine to take it) and one in src's buffer (highWaterMark 1).
    assert.ok(source.produced - read <= 2, `src gave ${source.produced} items for ${read} read`);
    assert.ok(source.produced < count);
    held.resolve();
    await within(piped, 'the pipeline once dst goes on');
    assert.deepEqual(offsets(sink.records), range(count));
  });

  test('a slow engine holds the writer back: writes wait while the engine’s buffers are full', async (t) => {
    const count = 200;
    const gates = new Gates(count);
    const engine = gatedEngine(t, transport, gates, { threads: 1, concurrency: 2, buffers: { input: { messages: 2 } } });
    const source = countingSource(count, (n) => gates.message(n));
    const sink = collector();
    const duplex = engine.stream();
    const piped = pipeline(source.stream, duplex, sink.stream);
    // Nothing completes: two messages wait at the worker, two in the input buffer.
    await gates.started(2);
    await until(() => engine.buffers.input.fill === 2, 'the input buffer to fill', () => engine.buffers);
    await turns(200);
    assert.equal(engine.stats?.read, 2 + 2, 'read: concurrency + input buffer');
    assert.ok(duplex.writableLength <= 1, `the duplex buffers ${duplex.writableLength} writes`);
    assert.ok(source.produced - 4 <= 2, `src gave ${source.produced} items for 4 read`);
    for (let n = 0; n < count; n++) gates.open(n);
    await within(piped, 'the pipeline once the gates open');
    assert.deepEqual(offsets(sink.records), range(count));
    for (const record of sink.records) assert.deepEqual([record.kind, record.kind === 'output' && record.value], ['output', record.offset]);
  });

  test('a source stream’s error ends the run and the pipeline rejects with it; the engine runs again', async (t) => {
    const engine = engineWith({ transform: fixture('identity.js') });
    t.after(() => engine.close());
    const failure = Object.assign(new RangeError('the source failed'), { code: 'E_SOURCE' });
    async function* failing(): AsyncGenerator<SourceRecord> {
      for (let n = 0; n < 50; n++) yield { value: n };
      throw failure;
    }
    const sink = collector();
    const duplex = engine.stream();
    const closed = closeOf(duplex);
    await within(
      assert.rejects(pipeline(Readable.from(failing()), duplex, sink.stream), (error) => error === failure),
      'the pipeline to reject',
    );
    await within(closed, 'the duplex to close');
    assert.ok(sink.records.length <= 50);
    await secondRun(engine);
  });

  test('a run error destroys the duplex with it: TransformLoadError keeps its class and code, and src is released', async (t) => {
    const engine = engineWith({ transform: fixture('no-default.js') });
    t.after(() => engine.close());
    const source = countingSource(100);
    const sink = collector();
    const duplex = engine.stream();
    const closed = closeOf(duplex);
    await within(
      assert.rejects(pipeline(source.stream, duplex, sink.stream), (error) => {
        assert.ok(error instanceof TransformLoadError, `a TransformLoadError, got ${String(error)}`);
        assert.equal(error.code, 'ERR_TIDEMARK_TRANSFORM_LOAD');
        return true;
      }),
      'the pipeline to reject',
    );
    await within(closed, 'the duplex to close');
    assert.equal(sink.records.length, 0);
    await until(() => source.released, 'src to be released');
  });

  test('destroying the duplex mid-run ends the run: close comes, src is released, and the engine runs again', async (t) => {
    const engine = engineWith({ transform: fixture('identity.js') });
    t.after(() => engine.close());
    const source = countingSource();
    const duplex = engine.stream();
    const sink = collector({ onRecord: (_, count) => count === 100 && duplex.destroy() });
    const closed = closeOf(duplex);
    await within(
      assert.rejects(pipeline(source.stream, duplex, sink.stream), { code: 'ERR_STREAM_PREMATURE_CLOSE' }),
      'the pipeline to reject',
    );
    await within(closed, 'the duplex to close');
    assert.equal(sink.records.length, 100);
    await until(() => source.released, 'src to be released');
    await secondRun(engine);
  });

  test('aborting its signal stops reading: what was read still reaches dst, then the pipeline rejects with the reason', async (t) => {
    const engine = engineWith({ transform: fixture('identity.js') });
    t.after(() => engine.close());
    const source = countingSource();
    const abort = new AbortController();
    const reason = new Error('enough');
    const sink = collector({ onRecord: (_, count) => count === 100 && abort.abort(reason) });
    const duplex = engine.stream({ signal: abort.signal });
    const closed = closeOf(duplex);
    await within(
      assert.rejects(pipeline(source.stream, duplex, sink.stream), (error) => error === reason),
      'the pipeline to reject',
    );
    await within(closed, 'the duplex to close');
    const read = engine.stats?.read ?? 0;
    assert.ok(read >= 100);
    assert.deepEqual(offsets(sink.records), range(read), 'every message read reached dst, once');
    assert.equal(engine.inFlight, 0, 'the run drained');
    await until(() => source.released, 'src to be released');
    await secondRun(engine);
  });
});

// The engine refuses the run before any worker is involved: one transport says it all.
test('engine.stream() while another run is active fails with EngineBusyError, as the stream’s error', async (t) => {
  const engine = new Engine({ transform: fixture('identity.js'), threads: 1 });
  t.after(() => engine.close());
  const first = engine.process([{ value: 0 }, { value: 1 }]);
  assert.equal((await first.next()).done, false);
  const duplex = engine.stream();
  const closed = closeOf(duplex);
  await within(
    assert.rejects(pipeline(countingSource(10).stream, duplex, collector().stream), (error) => error instanceof EngineBusyError),
    'the pipeline to reject',
  );
  await within(closed, 'the duplex to close');
  let rest = 0;
  for await (const _ of first) rest++;
  assert.equal(rest, 1);
  await secondRun(engine);
});
