import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineRecord, MessageTrace, SourceRecord } from '../src/index.js';
import { Gates, gatedEngine } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

/** The `p` the test put on a gated message's value: its priority. */
const priority = (record: SourceRecord): number => (record.value as { p: number }).p;

// Message 0 holds the one slot at its gate; the rest arrive at a 4-message
// input buffer, so from message 5 on each arrival finds it full. Aging is
// off (Infinity), so a tie in priority is a tie, and
// the policy's tie rule shows:
//
//   offset  1  2  3    4  5  6    7  8
//   p       1  3  0.5  2  5  0.2  1  4
//
//   5 arrives: the lowest of {1, 3, 0.5, 2, 5} is offset 3 (0.5): dropped
//   6 arrives: it is the lowest itself (0.2): dropped
//   7 arrives: offsets 1 and 7 tie lowest (1): drop-newest drops 7, drop-oldest 1
//   8 arrives: the other one of 1 and 7 is now the lowest: dropped
//
// What is left runs by priority: 5, 8, 2, 4. Plain FIFO would have dropped
// 5-8 (drop-newest) or 1-4 (drop-oldest) instead.
const priorities = [0, 1, 3, 0.5, 2, 5, 0.2, 1, 4];
const dropped = { 'drop-newest': [3, 6, 7, 1], 'drop-oldest': [3, 6, 1, 7] } as const;

forEachTransport((transport) => {
  for (const policy of ['drop-newest', 'drop-oldest'] as const) {
    test(`priority, ${policy}: a full input buffer drops the lowest priority first, the arriving message included`, async (t) => {
      const gates = new Gates(priorities.length);
      const engine = gatedEngine(t, transport, gates, {
        threads: 1,
        concurrency: 1,
        priority,
        priorityAging: Number.POSITIVE_INFINITY,
        buffers: { input: { messages: 4, overflow: policy }, output: { messages: 100 } },
      });
      const drops: MessageTrace[] = [];
      engine.on('ack', (trace) => {
        if (trace.stage === 'dropped') drops.push(trace);
      });
      const records = engine.process(priorities.map((p, i) => gates.message(i, { p })));
      const first = records.next();
      await gates.started(1);
      await until(() => drops.length === 4 && engine.buffers.input.fill === 4, 'four drops and a full input buffer', () => ({
        drops: drops.map((trace) => trace.offset),
        buffers: engine.buffers,
      }));
      assert.deepEqual(
        drops.map((trace) => [trace.offset, trace.priority, trace.overflow]),
        dropped[policy].map((offset) => [offset, priorities[offset], { buffer: 'input', policy }]),
        'dropped, lowest first',
      );
      for (let i = 0; i < gates.count; i++) gates.open(i);
      const offsets = [((await within(first, 'message 0')).value as EngineRecord).offset];
      for await (const record of records) offsets.push(record.offset);
      assert.deepEqual(offsets, [0, 5, 8, 2, 4], 'the rest, by priority');
      assert.equal(engine.stats?.dropped, 4);
    });
  }
});
