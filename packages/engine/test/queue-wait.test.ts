import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { Engine } from '../src/index.js';
import type { MessageTrace } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { parseSamples } from './helpers/prometheus.js';
import { forEachTransport } from './helpers/transports.js';

// What a user saw: a retried message showed `queue_wait` 113 ms against an
// input buffer of 4, because it was timed from the first try. queue_wait is
// the last try's own wait in the input buffer: from going back into it
// after the backoff to being dispatched again.

forEachTransport((transport) => {
  test("a retried message's queue_wait is its last try's own wait, not the time since its first try", async () => {
    const registry = new Registry();
    const backoff = 50;
    const engine = new Engine({
      transport,
      transform: fixture('faults.js'),
      threads: 1,
      retry: { attempts: 3, backoff: { initial: backoff, max: backoff } },
      buffers: { input: { messages: 4 } },
      metrics: { registry },
    });
    try {
      const acks: MessageTrace[] = [];
      engine.on('ack', (trace) => acks.push(trace));
      const records = [];
      for await (const record of engine.process([{ value: { fault: 'fail-until', n: 2 } }])) records.push(record);
      assert.deepEqual(records.map((record) => record.kind === 'output' && record.value), [3], 'the third try succeeds');
      const [trace] = acks;
      assert.ok(trace !== undefined);
      assert.equal(trace.attempts, 3);
      // Two backoffs passed between reading it and its last try going back into the buffer.
      assert.ok(trace.queuedAt - trace.readAt >= 2 * backoff, `requeued ${trace.queuedAt - trace.readAt} ms after read`);
      const samples = parseSamples(await registry.metrics());
      const labels = 'stage="queue_wait",outcome="ok"';
      assert.equal(samples.get(`tidemark_stage_duration_seconds_count{${labels}}`), 1);
      const sum = samples.get(`tidemark_stage_duration_seconds_sum{${labels}}`) ?? Number.NaN;
      assert.ok(Math.abs(sum - (trace.dispatchedAt - trace.queuedAt) / 1000) < 1e-9, `queue_wait ${sum} s is the last try's own wait`);
      assert.ok(sum * 1000 < trace.dispatchedAt - trace.readAt - 2 * backoff + 1e-6, 'not the time since the first try');
    } finally {
      await engine.close();
    }
  });
});
