import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineRecord, SourceRecord } from '../src/index.js';
import { Gates, gatedEngine } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

/** The `p` the test put on a gated message's value: its priority. */
const priority = (record: SourceRecord): number => (record.value as { p: number }).p;

forEachTransport((transport) => {
  test('priority: from a full input buffer the highest priority starts first, equal ones in read order', async (t) => {
    // Message 0 holds the one slot at its gate while the others fill the
    // input buffer (block: the reader stops there). They are read in one
    // synchronous stretch, so they share a read time and aging does not
    // tell them apart; once the gate opens they run one at a time, so the
    // order of the outputs is the order they were served in.
    const priorities = [0, 2, 0, 5, 5, -1, 3, 0.5, 7, 2];
    const gates = new Gates(priorities.length);
    const engine = gatedEngine(t, transport, gates, {
      threads: 1,
      concurrency: 1,
      priority,
      buffers: { input: { messages: priorities.length - 1 }, output: { messages: 100 } },
    });
    const records = engine.process(priorities.map((p, i) => gates.message(i, { p })));
    const first = records.next();
    await gates.started(1);
    await until(() => engine.buffers.input.fill === priorities.length - 1, 'the input buffer to fill', () => engine.buffers);
    for (let i = 0; i < gates.count; i++) gates.open(i);
    const offsets = [((await within(first, 'message 0')).value as EngineRecord).offset];
    for await (const record of records) offsets.push(record.offset);
    const byPriority = priorities
      .map((p, offset) => ({ p, offset }))
      .slice(1)
      .sort((a, b) => b.p - a.p || a.offset - b.offset)
      .map(({ offset }) => offset);
    assert.deepEqual(offsets, [0, ...byPriority], `served by priority: ${JSON.stringify(priorities)}`);
  });

  test('priority: the ack traces carry each message\'s priority', async (t) => {
    const gates = new Gates(4);
    for (let i = 0; i < gates.count; i++) gates.open(i);
    const engine = gatedEngine(t, transport, gates, { threads: 1, priority });
    const traces = new Map<number, number | undefined>();
    engine.on('ack', (trace) => traces.set(trace.offset, trace.priority));
    for await (const record of engine.process([3, -2.5, 0, 1e9].map((p, i) => gates.message(i, { p })))) void record;
    assert.deepEqual([...traces].sort(([a], [b]) => a - b), [[0, 3], [1, -2.5], [2, 0], [3, 1e9]]);
  });
});
