import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidMessageError, TransformError } from '../src/index.js';
import type { EngineRecord, MessageTrace, SourceRecord } from '../src/index.js';
import { Gates, gatedEngine } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

// Ordered mode, output buffer under `block`: a message starts only while
// the output buffer has room for it, unless nothing can leave before it
// does. The message at the head of the order that fails a try and backs
// off must still start again when the buffer is full of the messages
// waiting behind it; holding it back would wait forever (only the consumer
// empties the buffer, and nothing can leave before the head).

async function rest(records: AsyncGenerator<EngineRecord>, first: Promise<IteratorResult<EngineRecord>>): Promise<EngineRecord[]> {
  const head = await within(first, 'the head message to be retried and handed over');
  assert.equal(head.done, false);
  const all = [head.value];
  for (;;) {
    const next = await within(records.next(), 'the next record');
    if (next.done === true) return all;
    all.push(next.value);
  }
}

forEachTransport((transport) => {
  test('a retrying head message starts again with the output buffer full of failed records behind it', async (t) => {
    const gates = new Gates(1);
    const engine = gatedEngine(t, transport, gates, {
      threads: 1,
      concurrency: 2,
      ordering: 'ordered',
      retry: { attempts: 2, backoff: { initial: 1, max: 1 } },
      buffers: { output: { messages: 2 } },
    });
    const acks = new Map<number, MessageTrace>();
    engine.on('ack', (trace) => acks.set(trace.offset, trace));
    // Message 0 fails its first try; the source could not decode 1 and 2,
    // which become failed records at once and fill the output buffer.
    const source: SourceRecord[] = [
      gates.message(0, { failUntil: 1 }),
      { value: 'line 2', error: new Error('not JSON') },
      { value: 'line 3', error: new Error('not JSON') },
    ];
    const records = engine.process(source);
    const first = records.next();
    await gates.started(1);
    await until(() => engine.buffers.output.fill === 2, 'failed records 1 and 2 in the output buffer', () => engine.buffers);
    assert.deepEqual(engine.buffers.output, { fill: 2, capacity: 2 });
    gates.open(0); // its first try fails; it backs off, then must start again
    const all = await rest(records, first);
    assert.deepEqual(
      all.map((record) => [record.offset, record.kind]),
      [
        [0, 'output'],
        [1, 'failed'],
        [2, 'failed'],
      ],
    );
    assert.equal(all[0]?.kind === 'output' && all[0].value, 0);
    for (const record of all.slice(1)) assert.ok(record.kind === 'failed' && record.error instanceof InvalidMessageError);
    assert.equal(gates.tries(0), 2);
    assert.equal(acks.get(0)?.attempts, 2);
    assert.equal(engine.stats?.retried, 1);
  });

  test('a retrying head message starts again with the output buffer full by bytes, and one behind it failed every try', async (t) => {
    const gates = new Gates(3);
    const engine = gatedEngine(t, transport, gates, {
      threads: 1,
      concurrency: 3,
      ordering: 'ordered',
      retry: { attempts: 2, backoff: { initial: 1, max: 1 } },
      buffers: { output: { messages: 10, bytes: 16 } },
    });
    const acks = new Map<number, MessageTrace>();
    engine.on('ack', (trace) => acks.set(trace.offset, trace));
    const big = 'x'.repeat(20); // weighs 8 + 20 = 28 bytes in the output buffer
    const records = engine.process([gates.message(0, { failUntil: 1 }), gates.message(1, { out: big }), gates.message(2, { failUntil: 2 })]);
    const first = records.next();
    await gates.started(3);
    gates.open(2); // fails both tries: a failed record
    await until(() => engine.buffers.output.fill === 1, 'message 2 to fail for good', () => engine.buffers);
    gates.open(1);
    await until(() => engine.buffers.output.fill === 2, 'message 1 to complete', () => engine.buffers);
    assert.deepEqual(engine.buffers.output, { fill: 2, capacity: 10, bytes: { fill: 28, capacity: 16 } });
    gates.open(0); // its first try fails; it backs off, then must start again
    const all = await rest(records, first);
    assert.deepEqual(
      all.map((record) => [record.offset, record.kind === 'output' ? record.value : record.kind]),
      [
        [0, 0],
        [1, big],
        [2, 'failed'],
      ],
    );
    const failed = all[2];
    assert.ok(failed?.kind === 'failed' && failed.error instanceof TransformError);
    assert.equal(failed.attempts, 2);
    assert.equal(failed.error.message, 'failing try 2');
    assert.deepEqual([gates.tries(0), gates.tries(1), gates.tries(2)], [2, 1, 2]);
    assert.equal(acks.get(0)?.attempts, 2);
    assert.equal(engine.stats?.retried, 2);
  });
});
