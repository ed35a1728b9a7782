import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, InvalidOptionError } from '../src/index.js';
import type { EngineRecord, MessageTrace, Output, SourceRecord } from '../src/index.js';
import { Gates, fixture, gatedEngine } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { within } from './helpers/wait.js';

// processChunks(): records handed over in chunks, acked per chunk; a source
// may give chunks (arrays of records) too.

forEachTransport((transport) => {
  test('every record comes out once, in chunks of at most `size` messages, with each message acked after its chunk', async (t) => {
    const engine = new Engine({ transport, transform: fixture('flaky.js'), threads: 2, concurrency: 8 });
    t.after(() => engine.close());
    const acked: MessageTrace[] = [];
    engine.on('ack', (trace) => acked.push(trace));
    // 500 messages, given as chunks of 7 (and single records in between).
    const source: (SourceRecord | SourceRecord[])[] = [];
    for (let i = 0; i < 500; ) {
      // Message i fans out to i % 3 outputs.
      const message = () => ({ value: { op: 'fan-out', n: i++ % 3 } });
      if (i % 3 === 0) source.push(message());
      else source.push(Array.from({ length: Math.min(7, 500 - i) }, message));
    }
    const seen = new Map<number, number>();
    let chunks = 0;
    for await (const chunk of engine.processChunks(source, { size: 5 })) {
      chunks++;
      const offsets = new Set(chunk.map((record) => record.offset));
      for (const offset of offsets) assert.equal(chunk.filter((record) => record.offset === offset).length, offset % 3, `message ${offset}'s outputs`);
      assert.ok(chunk.length >= 1 && offsets.size <= 5, `a chunk of ${chunk.length} records from ${offsets.size} messages`);
      // Nothing of this chunk is acked until the next one is asked for.
      for (const offset of offsets) assert.ok(!acked.some((trace) => trace.offset === offset), `message ${offset} acked early`);
      for (const record of chunk) seen.set(record.offset, (seen.get(record.offset) ?? 0) + 1);
    }
    // Message i emits i % 3 outputs, all in one chunk.
    assert.equal(seen.size, [...Array(500).keys()].filter((i) => i % 3 !== 0).length);
    for (const [offset, count] of seen) assert.equal(count, offset % 3, `message ${offset}`);
    assert.equal(acked.length, 500);
    assert.equal(engine.stats?.read, 500);
    assert.equal(engine.stats?.emitted, [...seen.values()].reduce((a, b) => a + b, 0));
    assert.ok(chunks >= 333 / 5, `${chunks} chunks`);
  });

  test('a chunk from the source larger than the room is held and read as room frees', async (t) => {
    const gates = new Gates(12);
    const engine = gatedEngine(t, transport, gates, { threads: 2, concurrency: 2, buffers: { input: { messages: 1 }, output: { messages: 2 } } });
    // Two at the workers and one in the (blocking) input buffer: a chunk of 12 cannot all be read at once.
    const chunk = Array.from({ length: 12 }, (_, i) => gates.message(i));
    const chunks = engine.processChunks([chunk]);
    const first = chunks.next();
    await gates.started(2);
    assert.equal(engine.stats?.read, 3, 'read up to the full input buffer, the rest held');
    for (let i = 0; i < 12; i++) gates.open(i);
    const offsets: number[] = [];
    let result = await within(first, 'the first chunk');
    while (result.done !== true) {
      offsets.push(...result.value.map((record: EngineRecord) => record.offset));
      result = await within(chunks.next(), 'the next chunk');
    }
    assert.deepEqual(offsets.sort((a, b) => a - b), [...Array(12).keys()]);
  });
});

test('processChunks refuses a size that is not an integer from 1 up', (t) => {
  const engine = new Engine({ transform: fixture('identity.js'), threads: 1 });
  t.after(() => engine.close());
  for (const size of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => engine.processChunks([], { size }), (error: unknown) => error instanceof InvalidOptionError && error.option === 'size', String(size));
  }
});

test('process() takes an array item as one (invalid) record; only processChunks reads it as a chunk', async (t) => {
  const engine = new Engine({ transform: fixture('identity.js'), threads: 1 });
  t.after(() => engine.close());
  const plain: EngineRecord[] = [];
  for await (const record of engine.process([[{ value: 1 }, { value: 2 }] as unknown as { value: unknown }])) plain.push(record);
  assert.deepEqual(plain.map((record) => record.kind), ['failed']);
  const chunked: Output[] = [];
  for await (const chunk of engine.processChunks([[{ value: 1 }, { value: 2 }]])) chunked.push(...(chunk as Output[]));
  assert.deepEqual(chunked.map((record) => record.value), [1, 2]);
});

forEachTransport((transport) => {
  test('a revoked Proxy among the items of processChunks() is one failed record, and the run goes on', async (t) => {
    const engine = new Engine({ transport, transform: fixture('identity.js'), threads: 1 });
    t.after(() => engine.close());
    const { proxy: revoked, revoke } = Proxy.revocable({ value: 'revoked' }, {});
    revoke();
    const records: EngineRecord[] = [];
    for await (const chunk of engine.processChunks([{ value: 'a' }, revoked, { value: 'b' }], { size: 8 })) records.push(...chunk);
    assert.deepEqual(
      records.sort((a, b) => a.offset - b.offset).map((record) => [record.offset, record.kind === 'output' ? record.value : record.error.code]),
      [
        [0, 'a'],
        [1, 'ERR_TIDEMARK_INVALID_MESSAGE'],
        [2, 'b'],
      ],
    );
  });
});
