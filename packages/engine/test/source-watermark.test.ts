import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import type { EngineRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';

// SourceRecord.watermark: a source that keeps its own input watermark (a
// pipeline stage passes on the one before's) gives it with its records.

test("a record's watermark raises the input watermark: the engine publishes it, and a later record below it is late", async () => {
  const engine = new Engine({ transform: fixture('identity.js'), threads: 1, concurrency: 1, watermark: { maxOutOfOrderness: Number.POSITIVE_INFINITY } });
  const published: number[] = [];
  engine.on('watermark', (w) => published.push(w));
  try {
    const records: EngineRecord[] = [];
    const source = [
      { value: 'a', eventTime: 100, watermark: 90 },
      { value: 'b', eventTime: 95 },
      { value: 'c', eventTime: 80 },
      { value: 'd', eventTime: 120, watermark: 110 },
    ];
    for await (const record of engine.process(source)) records.push(record);
    assert.deepEqual(records.map((r) => [r.offset, r.late === true]), [[0, false], [1, false], [2, true], [3, false]]);
    assert.equal(engine.watermark, 110, 'the last watermark the source gave (event times move nothing with Infinity)');
    assert.ok(published.includes(90));
  } finally {
    await engine.close();
  }
});

test('a watermark that is not a finite number makes its record a failed record with an InvalidMessageError', async () => {
  const engine = new Engine({ transform: fixture('identity.js'), threads: 1 });
  try {
    const records: EngineRecord[] = [];
    for await (const record of engine.process([{ value: 1, watermark: Number.NaN }, { value: 2, watermark: '5' as unknown as number }, { value: 3, watermark: 7 }])) records.push(record);
    assert.deepEqual(records.map((r) => r.kind), ['failed', 'failed', 'output']);
    for (const record of records.slice(0, 2)) {
      assert.equal(record.kind === 'failed' && record.error.code, 'ERR_TIDEMARK_INVALID_MESSAGE');
      assert.match(record.kind === 'failed' ? record.error.message : '', /`watermark` must be a finite number/);
    }
  } finally {
    await engine.close();
  }
});
