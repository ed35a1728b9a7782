import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import type { EngineRecord } from '../src/index.js';

const transform = new URL('./fixtures/double.js', import.meta.url);

test('pipelined chunks: a chunk is acked at the ask after next, and an empty chunk says only the one in hand is left', async () => {
  const engine = new Engine({ transform, threads: 1, concurrency: 4 });
  try {
    const acked = new Set<number>();
    engine.on('ack', (trace) => acked.add(trace.offset));
    const iterator = engine.processChunks(
      Array.from({ length: 40 }, (_, i) => ({ value: i })),
      { size: 5, pipelined: true },
    );
    const chunks: EngineRecord[][] = [];
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) break;
      // Asking for this chunk acked the one two before it, never the one before it.
      const before = chunks.at(-1);
      const twoBefore = chunks.at(-2);
      for (const record of twoBefore ?? []) assert.ok(acked.has(record.offset), `offset ${record.offset} acked at the ask after next`);
      for (const record of before ?? []) assert.equal(acked.has(record.offset), false, `offset ${record.offset} still in the consumer's hands`);
      chunks.push(next.value);
      assert.ok(next.value.length <= 5);
    }
    const records = chunks.flat();
    assert.equal(records.length, 40);
    assert.equal(acked.size, 40, 'every message acked by the end');
    assert.deepEqual(chunks.at(-1), [], 'the last chunk is the empty one that says only the chunk in hand was left');
    assert.equal(engine.committedOffset, 40);
  } finally {
    await engine.close();
  }
});

test('without pipelined, a chunk is acked at the next ask and no chunk is empty', async () => {
  const engine = new Engine({ transform, threads: 1, concurrency: 4 });
  try {
    const acked = new Set<number>();
    engine.on('ack', (trace) => acked.add(trace.offset));
    const chunks: EngineRecord[][] = [];
    for await (const chunk of engine.processChunks(Array.from({ length: 40 }, (_, i) => ({ value: i })), { size: 5 })) {
      for (const record of chunks.at(-1) ?? []) assert.ok(acked.has(record.offset));
      assert.ok(chunk.length > 0);
      chunks.push(chunk);
    }
    assert.equal(chunks.flat().length, 40);
  } finally {
    await engine.close();
  }
});

test('pipelined chunks: a chunk of messages the transform dropped is acked at once, and the chunk in hand stays un-acked', async () => {
  const engine = new Engine({ transform: new URL('./fixtures/fuzz.js', import.meta.url), threads: 1, concurrency: 1 });
  try {
    const acked = new Set<number>();
    engine.on('ack', (trace) => acked.add(trace.offset));
    const source = [{ value: { n: 0 } }, { value: { fz: 'drop', n: 1 } }, { value: { n: 2 } }, { value: { n: 3 } }];
    const iterator = engine.processChunks(source, { size: 1, pipelined: true });
    const first = await iterator.next();
    assert.deepEqual(first.done === true ? [] : first.value.map((r) => r.offset), [0]);
    const second = await iterator.next(); // the consumer still holds offset 0's chunk
    assert.deepEqual(second.done === true ? [] : second.value.map((r) => r.offset), [2]);
    assert.equal(acked.has(0), false, 'offset 0 is still in the consumer\'s hands');
    assert.ok(acked.has(1), 'the dropped message has nothing to hand over: acked at once');
    await iterator.next();
    assert.ok(acked.has(0), 'offset 0 acked at the ask after next');
    await iterator.return();
  } finally {
    await engine.close();
  }
});

