import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { Engine } from '../src/index.js';
import type { MessageTrace } from '../src/index.js';
import { PriorityHistograms, maxPriorityLabels } from '../src/metrics/priority-histograms.js';
import { buckets } from '../src/metrics/stage-histograms.js';
import { fixture } from './helpers/gates.js';
import { within } from './helpers/wait.js';

const name = 'tidemark_priority_latency_seconds';

/** The samples of one histogram series: its `_count`, `_sum` and buckets, by the `priority` label. */
function series(samples: readonly { metricName?: string; labels?: Record<string, string | number>; value: number }[]) {
  const out = new Map<string, { count: number; sum: number; buckets: number[] }>();
  for (const sample of samples) {
    const priority = String(sample.labels?.['priority']);
    const entry = out.get(priority) ?? { count: 0, sum: 0, buckets: [] };
    out.set(priority, entry);
    if (sample.metricName === `${name}_count`) entry.count = sample.value;
    else if (sample.metricName === `${name}_sum`) entry.sum = sample.value;
    else entry.buckets.push(sample.value);
  }
  return out;
}

test('priority histograms: the label is the priority rounded down, and past 16 values the rest are priority="other"', () => {
  const histograms = new PriorityHistograms();
  assert.deepEqual(histograms.samples(name), [], 'no series before an observation');
  histograms.observe(0.5, 0.002);
  histograms.observe(0.9, 0.004);
  histograms.observe(-0.25, 1);
  histograms.observe(-0, 0.001);
  let view = series(histograms.samples(name));
  assert.deepEqual([...view.keys()], ['0', '-1']);
  assert.deepEqual([view.get('0')?.count, view.get('0')?.sum], [3, 0.007]);
  assert.deepEqual(view.get('0')?.buckets.length, buckets.length + 1, 'a bucket per bound and +Inf');
  assert.deepEqual(view.get('-1')?.buckets.slice(-7), [0, 1, 1, 1, 1, 1, 1], 'cumulative: 1 s lands in le="1" and above');

  for (let p = 1; p <= 20; p++) histograms.observe(p + 0.5, 0.01);
  histograms.observe(3, 0.01); // a label that has its own series stays in it
  histograms.observe(1000, 0.01);
  view = series(histograms.samples(name));
  assert.equal(view.size, maxPriorityLabels + 1, 'at most 16 labels and "other"');
  assert.deepEqual([...view.keys()], ['0', '-1', ...Array.from({ length: 14 }, (_, i) => String(i + 1)), 'other']);
  assert.equal(view.get('3')?.count, 2);
  assert.equal(view.get('other')?.count, 20 - 14 + 1, 'priorities 15-20 and 1000');
});

// Metrics do not depend on the transport: one run over the default is enough.
test('priority metrics: each message the workers processed is observed under its priority\'s label, read to ack', async (t) => {
  const registry = new Registry();
  const engine = new Engine({
    transform: fixture('echo.js'),
    threads: 2,
    priority: (record) => (record.value as number) % 20,
    metrics: { registry },
  });
  t.after(() => within(engine.close(), 'the engine to close'));
  const acked: MessageTrace[] = [];
  engine.on('ack', (trace) => acked.push(trace));
  for await (const record of engine.process(Array.from({ length: 60 }, (_, i) => ({ value: i + 0.5 })))) void record;

  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  assert.ok(metric !== undefined, `${name} is registered`);
  const view = series(metric.values as Parameters<typeof series>[0]);
  // The first 16 labels in the order the messages were acked; the rest "other".
  const labels: string[] = [];
  const expected = new Map<string, { count: number; sum: number }>();
  for (const trace of acked) {
    const floor = String(Math.floor(trace.priority as number));
    if (!labels.includes(floor) && labels.length < maxPriorityLabels) labels.push(floor);
    const label = labels.includes(floor) ? floor : 'other';
    const entry = expected.get(label) ?? { count: 0, sum: 0 };
    entry.count++;
    entry.sum += (trace.ackedAt - trace.readAt) / 1000;
    expected.set(label, entry);
  }
  assert.deepEqual([...view.keys()].sort(), [...expected.keys()].sort());
  for (const [label, { count, sum }] of expected) {
    assert.equal(view.get(label)?.count, count, `priority="${label}": count`);
    assert.ok(Math.abs((view.get(label)?.sum ?? Number.NaN) - sum) < 1e-9, `priority="${label}": the sum of its read-to-ack times`);
  }
  assert.equal(view.get('other')?.count, 60 - 16 * 3, 'four priorities of three messages each are "other"');
});

test('priority metrics: without a priority function the histogram has no series', async (t) => {
  const registry = new Registry();
  const engine = new Engine({ transform: fixture('echo.js'), threads: 1, metrics: { registry } });
  t.after(() => within(engine.close(), 'the engine to close'));
  for await (const record of engine.process([{ value: 1 }, { value: 2 }])) void record;
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  assert.deepEqual(metric?.values, []);
  const stages = (await registry.getMetricsAsJSON()).find((m) => m.name === 'tidemark_stage_duration_seconds');
  assert.ok((stages?.values.length ?? 0) > 0, 'while the stage histograms have theirs');
});
