import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { Engine } from '../src/index.js';
import type { EngineRecord, MessageTrace } from '../src/index.js';
import { Gates, fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until } from './helpers/wait.js';

forEachTransport((transport) => {
  test('block: a consumer that stops holds messages back at every buffer, back to the source, and nothing is dropped', async (t) => {
    const engine = new Engine({
      transport,
      transform: fixture('gated.js'),
      threads: 1,
      concurrency: 2,
      buffers: { input: { messages: 2 }, output: { messages: 3 } },
    });
    t.after(() => engine.close());
    const gates = new Gates(20);
    for (let i = 0; i < 20; i++) gates.open(i);
    let read = 0;
    function* source() {
      for (let i = 0; i < 20; i++) {
        read++;
        yield gates.message(i);
      }
    }
    const records = engine.process(source());
    const first = await records.next();
    // The consumer holds message 0 and takes nothing more. Messages start
    // only while the output buffer can take them (3), so exactly 1, 2 and 3
    // run; the input buffer fills (2) and the reader stops.
    await until(() => engine.buffers.output.fill === 3, 'the output buffer to fill (3)', () => engine.buffers);
    await gates.started(4);
    assert.deepEqual(
      { started: 4, processing: engine.processing, input: engine.buffers.input.fill, output: engine.buffers.output.fill },
      { started: 4, processing: 0, input: 2, output: 3 },
    );
    assert.equal(read, 6, 'read: 1 taken + 3 in output + 2 in input');
    assert.equal(engine.inFlight, 6);
    const offsets = [(first.value as EngineRecord).offset];
    for await (const record of records) offsets.push(record.offset);
    assert.deepEqual(offsets.sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
    assert.equal(engine.stats?.dropped, 0);
  });

  test('close() drains the workers even when the consumer stopped with the output buffer full', async () => {
    const engine = new Engine({ transport, transform: fixture('echo.js'), threads: 1, concurrency: 2, buffers: { output: { messages: 2 } } });
    const records = engine.process(Array.from({ length: 50 }, (_, i) => ({ value: i })));
    await records.next();
    await until(() => engine.buffers.output.fill === 2, 'the output buffer to fill (2)', () => engine.buffers);
    // The consumer holds 0; 1 and 2 fill the output buffer; 3 waits in the
    // one-message input buffer, and the reader stops there.
    await until(() => engine.buffers.input.fill === 1, 'the input buffer to fill (1)', () => engine.buffers);
    assert.equal(engine.stats?.read, 4);
    await engine.close();
    assert.equal(engine.processing, 0);
    assert.deepEqual(engine.buffers.output, { fill: 3, capacity: 2 }, 'close() started 3 although the output buffer was full');
    const rest: number[] = [];
    for await (const record of records) rest.push(record.offset);
    assert.deepEqual(rest.sort((a, b) => a - b), [1, 2, 3], 'what was read is handed over after close()');
    assert.equal(engine.stats?.read, 4, 'nothing read after close()');
    assert.equal(engine.inFlight, 0);
  });

  test('drops are acked, reported on the ack event, counted in stats and metrics, and the committed offset passes them', async (t) => {
    const registry = new Registry();
    const engine = new Engine({
      transport,
      transform: fixture('gated.js'),
      threads: 1,
      concurrency: 1,
      buffers: { input: { messages: 2, overflow: 'drop-oldest' } },
      metrics: { registry },
    });
    t.after(() => engine.close());
    const gates = new Gates(10);
    const drops: MessageTrace[] = [];
    engine.on('ack', (trace) => {
      if (trace.stage === 'dropped') drops.push(trace);
    });
    const records = engine.process(Array.from({ length: 10 }, (_, i) => gates.message(i)));
    const next = records.next();
    await gates.started(1);
    await until(() => drops.length === 7, '7 drops', () => drops.map((d) => d.offset));
    // Message 0 runs; of 1..9 the input buffer keeps the newest two.
    assert.deepEqual(
      drops.map((trace) => trace.offset),
      [1, 2, 3, 4, 5, 6, 7],
    );
    for (const trace of drops) {
      assert.deepEqual(trace.overflow, { buffer: 'input', policy: 'drop-oldest' });
      assert.equal(trace.attempts, 0);
    }
    assert.equal(engine.committedOffset, 0, 'message 0 is still in flight');
    for (let i = 0; i < 10; i++) gates.open(i);
    const offsets = [((await next).value as EngineRecord).offset];
    for await (const record of records) offsets.push(record.offset);
    assert.deepEqual(offsets.sort((a, b) => a - b), [0, 8, 9]);
    assert.equal(engine.stats?.dropped, 7);
    assert.equal(engine.stats?.acked, 10, 'dropped messages are acked');
    assert.equal(engine.committedOffset, 10);
    const text = await registry.metrics();
    assert.match(text, /tidemark_messages_dropped_total\{buffer="input",policy="drop-oldest"\} 7/);
    assert.match(text, /tidemark_messages_dropped_total\{buffer="output",policy="drop-newest"\} 0/);
  });

  test('byte limits: sizes come from the source when it gives them, estimated otherwise', async (t) => {
    const engine = new Engine({
      transport,
      transform: fixture('gated.js'),
      threads: 1,
      concurrency: 1,
      buffers: { input: { messages: 100, bytes: 10, overflow: 'drop-newest' } },
    });
    t.after(() => engine.close());
    const gates = new Gates(6);
    const drops: number[] = [];
    engine.on('ack', (trace) => {
      if (trace.stage === 'dropped') drops.push(trace.offset);
    });
    // Message 0 runs; 1 and 2 (4 bytes each) wait; at 8 bytes the buffer
    // takes one more (3, 6 bytes: 14); 4 and 5 find it full.
    const sizes = [1, 4, 4, 6, 1, 1];
    const records = engine.process(sizes.map((bytes, i) => ({ ...gates.message(i), bytes })));
    const next = records.next();
    await until(() => drops.length === 2, '2 drops', () => drops);
    assert.deepEqual(drops, [4, 5]);
    assert.deepEqual(engine.buffers.input, { fill: 3, capacity: 100, bytes: { fill: 14, capacity: 10 } });
    for (let i = 0; i < 6; i++) gates.open(i);
    await next;
    for await (const record of records) assert.equal(record.kind, 'output');
  });
});
