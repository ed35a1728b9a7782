import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { test } from 'node:test';
import { Engine, EngineBusyError, TransformLoadError } from '../src/index.js';
import type { EngineOptions, EngineRecord } from '../src/index.js';
import { Gates, fixture, gatedEngine } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';
import { countingSource, offsets, range, readAll } from './helpers/web-streams.js';

/** Let the event loop turn `count` times: whatever the streams would still do, they get the chance to. */
async function turns(count: number): Promise<void> {
  for (let n = 0; n < count; n++) await nextTurn();
}

/** A whole second run on `engine`, through a new pair: every message once. */
async function secondRun(engine: Engine): Promise<void> {
  const source = countingSource(300);
  const { records, error } = await within(readAll(source.stream.pipeThrough(engine.transformStream()).getReader()), 'a second run on the same engine');
  assert.equal(error, undefined);
  assert.deepEqual(offsets(records), range(300));
}

forEachTransport((transport) => {
  const engineWith = (options: Omit<EngineOptions, 'transport'>): Engine => new Engine({ transport, threads: 2, concurrency: 8, ...options });

  test('readable.pipeThrough(engine.transformStream()) hands every message over exactly once, keys and event times kept', async (t) => {
    const engine = engineWith({ transform: fixture('identity.js') });
    t.after(() => engine.close());
    const count = 3_000;
    const source = countingSource(count, { item: (n) => ({ value: n, key: `k${n % 7}`, eventTime: 1_000 + n }) });
    const { records, error } = await within(readAll(source.stream.pipeThrough(engine.transformStream()).getReader()), 'every record');
    assert.equal(error, undefined);
    assert.deepEqual(offsets(records), range(count));
    for (const record of records) {
      assert.equal(record.kind, 'output');
      assert.deepEqual([record.value, record.key, record.eventTime], [record.offset, `k${record.offset % 7}`, 1_000 + record.offset]);
    }
    assert.deepEqual([engine.stats?.read, engine.stats?.acked], [count, count]);
  });

  test('a slow reader holds the engine back: it stops at its buffers, the source at the pair', async (t) => {
    const buffers = { input: { messages: 2 }, output: { messages: 3 } };
    const engine = engineWith({ transform: fixture('identity.js'), threads: 1, concurrency: 4, buffers });
    t.after(() => engine.close());
    const count = 500;
    const source = countingSource(count);
    const reader = source.stream.pipeThrough(engine.transformStream()).getReader();
    // The reader takes one record and holds. The engine fills its output
    // buffer (nobody takes), then its input buffer, and stops reading.
    // (Or, if the pair read ahead, until everything was read: the bound below then fails at once.)
    const first = await within(reader.read(), 'the first record');
    await until(
      () => (engine.buffers.output.fill === 3 && engine.buffers.input.fill === 2) || engine.stats?.read === count,
      'the output and input buffers to fill while the reader holds',
      () => ({ buffers: engine.buffers, stats: engine.stats }),
    );
    await turns(200);
    // The most the engine may have read: its three buffers and the message
    // whose record the reader took (acked when it asks for the next). The
    // readable side's high-water mark of 0 holds no record of its own.
    const bound = 2 + 4 + 3 + 1;
    const read = engine.stats?.read ?? 0;
    assert.ok(read <= bound, `read ${read} messages while the reader held; at most ${bound}`);
    // Past the engine's reading: the item of the one write waiting for the engine to take it.
    assert.ok(source.produced - read <= 1, `the source gave ${source.produced} items for ${read} read`);
    const { records, error } = await within(readAll(reader), 'the rest once the reader goes on');
    assert.equal(error, undefined);
    assert.deepEqual(offsets([first.value as EngineRecord, ...records]), range(count));
  });

  test('a slow engine holds the writer back: writes wait while the engine’s buffers are full', async (t) => {
    const count = 200;
    const gates = new Gates(count);
    const engine = gatedEngine(t, transport, gates, { threads: 1, concurrency: 2, buffers: { input: { messages: 2 } } });
    const source = countingSource(count, { item: (n) => gates.message(n) });
    const reading = readAll(source.stream.pipeThrough(engine.transformStream()).getReader());
    // Nothing completes: two messages wait at the worker, two in the input buffer.
    await gates.started(2);
    await until(() => engine.buffers.input.fill === 2, 'the input buffer to fill', () => engine.buffers);
    await turns(200);
    assert.equal(engine.stats?.read, 2 + 2, 'read: concurrency + input buffer');
    assert.ok(source.produced - 4 <= 1, `the source gave ${source.produced} items for 4 read`);
    for (let n = 0; n < count; n++) gates.open(n);
    const { records, error } = await within(reading, 'every record once the gates open');
    assert.equal(error, undefined);
    assert.deepEqual(offsets(records), range(count));
    for (const record of records) assert.deepEqual([record.kind, record.kind === 'output' && record.value], ['output', record.offset]);
  });

  test('a source’s error ends the run and the readable errors with it; the engine runs again', async (t) => {
    const engine = engineWith({ transform: fixture('identity.js') });
    t.after(() => engine.close());
    const failure = Object.assign(new RangeError('the source failed'), { code: 'E_SOURCE' });
    const source = countingSource(50, { failure });
    const { records, error } = await within(readAll(source.stream.pipeThrough(engine.transformStream()).getReader()), 'the readable to error');
    assert.equal(error, failure);
    assert.ok(records.length <= 50);
    await secondRun(engine);
  });

  test('a run error errors the readable with it (TransformLoadError keeps its class and code) and cancels the source', async (t) => {
    const engine = engineWith({ transform: fixture('no-default.js') });
    t.after(() => engine.close());
    const source = countingSource(100);
    const { records, error } = await within(readAll(source.stream.pipeThrough(engine.transformStream()).getReader()), 'the readable to error');
    assert.equal(records.length, 0);
    assert.ok(error instanceof TransformLoadError, `a TransformLoadError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_TIDEMARK_TRANSFORM_LOAD');
    await until(() => source.cancelled !== undefined, 'the source to be cancelled');
    assert.equal(source.cancelled?.reason, error);
  });

  test('cancelling the readable mid-run ends the run: the source is cancelled, and the engine runs again', async (t) => {
    const engine = engineWith({ transform: fixture('identity.js') });
    t.after(() => engine.close());
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
    // cancel() resolved once the run had ended: the next run may start at once.
    await secondRun(engine);
  });

  test('aborting the writable ends the run: a pending read rejects with the reason, and the engine runs again', async (t) => {
    const engine = engineWith({ transform: fixture('identity.js') });
    t.after(() => engine.close());
    const pair = engine.transformStream();
    const writer = pair.writable.getWriter();
    const reader = pair.readable.getReader();
    const pending = reader.read();
    await within(writer.write({ value: 1 }), 'the engine to take the first item');
    const reason = Object.assign(new Error('the writer gave up'), { code: 'E_WRITER' });
    await within(writer.abort(reason), 'abort()');
    // The first record may have come before the abort; after it, the reason.
    const first = await within(pending.then((result) => ({ result }), (error: unknown) => ({ error })), 'the pending read');
    const next = 'error' in first ? first : await within(reader.read().then((result) => ({ result }), (error: unknown) => ({ error })), 'the next read');
    assert.ok('error' in next, 'the readable errored');
    assert.equal(next.error, reason);
    await secondRun(engine);
  });

  test('aborting its signal stops reading: what was read still comes out, then the readable ends and the source is cancelled', async (t) => {
    const engine = engineWith({ transform: fixture('identity.js') });
    t.after(() => engine.close());
    const source = countingSource();
    const abort = new AbortController();
    const reason = new Error('enough');
    const reader = source.stream.pipeThrough(engine.transformStream({ signal: abort.signal })).getReader();
    const { records, error } = await within(
      readAll(reader, (count) => (count === 100 ? abort.abort(reason) : undefined)),
      'the readable to end',
    );
    assert.equal(error, undefined);
    const read = engine.stats?.read ?? 0;
    assert.ok(read >= 100);
    assert.deepEqual(offsets(records), range(read), 'every message read came out, once');
    assert.equal(engine.inFlight, 0, 'the run drained');
    await until(() => source.cancelled !== undefined, 'the source to be cancelled');
    assert.equal(source.cancelled?.reason, reason);
    await secondRun(engine);
  });
});

// The engine refuses the run before any worker is involved: one transport says it all.
test('engine.transformStream() while another run is active errors the readable with EngineBusyError', async (t) => {
  const engine = new Engine({ transform: fixture('identity.js'), threads: 1 });
  t.after(() => engine.close());
  const first = engine.process([{ value: 0 }, { value: 1 }]);
  assert.equal((await first.next()).done, false);
  const source = countingSource(10);
  const { error } = await within(readAll(source.stream.pipeThrough(engine.transformStream()).getReader()), 'the readable to error');
  assert.ok(error instanceof EngineBusyError, `an EngineBusyError, got ${String(error)}`);
  let rest = 0;
  for await (const _ of first) rest++;
  assert.equal(rest, 1);
  await secondRun(engine);
});
