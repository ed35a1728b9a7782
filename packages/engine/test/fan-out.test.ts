import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import type { MessageTrace } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';

forEachTransport((transport) => {
  test('fanOut emits several outputs of one message and drop emits none; every message is acked', async (t) => {
    const engine = new Engine({ transport, transform: fixture('flaky.js'), threads: 2, concurrency: 4 });
    t.after(() => engine.close());
    const acked: MessageTrace[] = [];
    engine.on('ack', (trace) => acked.push(trace));
    const source = [
      { value: { op: 'fan-out', n: 3 }, key: 'a', eventTime: 5 },
      { value: { op: 'drop' } },
      { value: { op: 'fan-out', n: 0 } },
      { value: { op: 'fan-out', n: 1 } },
    ];
    const values: string[] = [];
    for await (const record of engine.process(source)) {
      assert.equal(record.kind, 'output');
      if (record.kind === 'output') values.push(String(record.value));
      if (record.offset === 0) {
        assert.equal(record.key, 'a');
        assert.equal(record.eventTime, 5);
      }
    }
    assert.deepEqual(values.sort(), ['0:0', '0:1', '0:2', '3:0']);
    assert.deepEqual(acked.map((trace) => trace.offset).sort(), [0, 1, 2, 3]);
    assert.ok(acked.every((trace) => trace.stage === 'acked' && trace.ackedAt >= trace.completedAt));
    assert.equal(engine.stats?.emitted, 4);
    assert.equal(engine.stats?.acked, 4);
  });

  test('the transform sees offset, key, event time, attempt and a signal', async (t) => {
    const engine = new Engine({ transport, transform: fixture('echo.js'), threads: 1 });
    t.after(() => engine.close());
    const records = [];
    for await (const record of engine.process([{ value: 'x', key: 'k', eventTime: 42, offset: 7 }])) records.push(record);
    assert.deepEqual(records, [
      {
        kind: 'output',
        offset: 7,
        key: 'k',
        eventTime: 42,
        value: { value: 'x', offset: 7, key: 'k', eventTime: 42, attempt: 1, aborted: false },
      },
    ]);
  });
});
