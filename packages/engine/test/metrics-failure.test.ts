import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { Engine } from '../src/index.js';
import type { MessageTrace } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { parseSamples } from './helpers/prometheus.js';

forEachTransport((transport) => {
  test('metrics under failure: failed, retried, late, restarts and the failed outcome have the values the run determines', async (t) => {
    const registry = new Registry();
    // One message at a time, so each fault is its own message's alone.
    const engine = new Engine({
      transport,
      transform: fixture('faults.js'),
      threads: 1,
      concurrency: 1,
      retry: { attempts: 2, backoff: { initial: 0, max: 0 } },
      watermark: { maxOutOfOrderness: 0 },
      metrics: { registry },
    });
    t.after(() => engine.close());
    const acks: MessageTrace[] = [];
    engine.on('ack', (trace) => acks.push(trace));
    const source = [
      { value: { fault: 'none' }, eventTime: 100 },
      { value: { fault: 'fail-until', n: 1 }, eventTime: 200 }, // one retry, then an output
      { value: { fault: 'always' }, eventTime: 300 }, // one retry, then a failed record
      { value: { fault: 'none' }, eventTime: 50 }, // late: below the input watermark 300
      { value: { fault: 'exit' }, eventTime: 400 }, // kills its worker once: a restart and a retry
    ];
    const outcomes: string[] = [];
    for await (const record of engine.process(source)) {
      outcomes[record.offset] = record.kind === 'output' ? `output ${String(record.value)}${record.late ? ' late' : ''}` : `failed ${record.attempts}`;
    }
    assert.deepEqual(outcomes, ['output 1', 'output 2', 'failed 2', 'output 1 late', 'output 2']);

    const ends = acks.sort((a, b) => a.offset - b.offset).map(({ stage, outcome }) => ({ stage, outcome }));
    const completed = { stage: 'acked', outcome: 'completed' };
    assert.deepEqual(ends, [completed, completed, { stage: 'failed', outcome: 'failed' }, completed, completed], 'the ack event reports the final stage and outcome');

    const metrics = parseSamples(await registry.metrics());
    const value = (key: string): number | undefined => metrics.get(key);
    assert.equal(value('tidemark_messages_read_total'), 5);
    assert.equal(value('tidemark_messages_acked_total'), 5);
    assert.equal(value('tidemark_messages_emitted_total'), 4);
    assert.equal(value('tidemark_messages_failed_total'), 1);
    assert.equal(value('tidemark_messages_retried_total'), 3);
    assert.equal(value('tidemark_messages_late_total'), 1);
    assert.equal(value('tidemark_worker_restarts_total'), 1);
    for (const stage of ['queue_wait', 'transport', 'processing', 'output_wait', 'end_to_end']) {
      assert.equal(value(`tidemark_stage_duration_seconds_count{stage="${stage}",outcome="failed"}`), 1, `${stage} failed`);
      assert.equal(value(`tidemark_stage_duration_seconds_count{stage="${stage}",outcome="ok"}`), 4, `${stage} ok`);
    }
  });
});
