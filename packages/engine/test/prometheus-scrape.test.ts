import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { Engine } from '../src/index.js';
import type { SourceRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { startPrometheus } from './helpers/prometheus-server.js';
import type { Series } from './helpers/prometheus-server.js';
import { within } from './helpers/wait.js';

// What a user saw: a real Prometheus scraping a run whose messages fail saw
// `tidemark_messages_failed_total` rise while the stage histograms'
// `outcome="failed"` series stayed 0, so the dashboard's failed view was
// empty. Here a real Prometheus scrapes a run in two phases (so that rates
// have two points) and is asked what the dashboard asks.

const total = (result: Series[]): number => result.reduce((sum, series) => sum + series.value, 0);

test('a real Prometheus scraping a run sees failed messages under outcome="failed" in every stage histogram the dashboard reads', async (t) => {
  const engine = new Engine({ transform: fixture('faults.js'), threads: 2, retry: { attempts: 1 }, metrics: { registry: new Registry(), port: 0 } });
  t.after(() => engine.close());
  const port = (await engine.metricsPort) as number;
  const prometheus = await startPrometheus([`127.0.0.1:${port}`]);
  t.after(() => prometheus.stop());

  // Phase one: 12 messages, 3 of which fail; phase two, once Prometheus has
  // seen phase one: 12 more, 4 of which fail.
  let second = (): void => {};
  const secondPhase = new Promise<void>((resolve) => {
    second = resolve;
  });
  const phase = (failing: number): SourceRecord[] =>
    Array.from({ length: 12 }, (_, i) => ({ value: i < failing ? { fault: 'always' } : {} }));
  async function* source(): AsyncGenerator<SourceRecord> {
    yield* phase(3);
    await secondPhase;
    yield* phase(4);
  }
  let failed = 0;
  const run = (async () => {
    for await (const record of engine.process(source())) if (record.kind === 'failed') failed++;
  })();

  const failedTotal = 'sum(tidemark_messages_failed_total{job="tidemark"})';
  await prometheus.queryUntil(failedTotal, (result) => total(result) === 3, 'Prometheus to see the first 3 failed messages');
  second();
  await within(run, 'the run to end');
  assert.equal(failed, 7);
  await prometheus.queryUntil(failedTotal, (result) => total(result) === 7, 'Prometheus to see all 7 failed messages');
  // And a scrape taken after the last ack: every message is in the histograms.
  await prometheus.queryUntil(
    'sum(tidemark_stage_duration_seconds_count{job="tidemark", stage="end_to_end"})',
    (result) => total(result) === 24,
    'Prometheus to see all 24 messages in the end-to-end histogram',
  );

  for (const stage of ['queue_wait', 'transport', 'processing', 'output_wait', 'end_to_end']) {
    const count = await prometheus.query(`tidemark_stage_duration_seconds_count{job="tidemark", stage="${stage}", outcome="failed"}`);
    assert.equal(total(count), 7, `${stage}: every failed message is counted under outcome="failed"`);
    const ok = await prometheus.query(`tidemark_stage_duration_seconds_count{job="tidemark", stage="${stage}", outcome="ok"}`);
    assert.equal(total(ok), 17, `${stage}: and only they`);
  }

  // The dashboard's end-to-end panel with its outcome variable set to
  // `failed` ($__rate_interval as a minute): a histogram with data.
  const panel = await prometheus.query(
    'sum by (le) (rate(tidemark_stage_duration_seconds_bucket{job=~".*", instance=~".*", stage="end_to_end", outcome=~"failed"}[1m]))',
  );
  const inf = panel.find((series) => series.metric['le'] === '+Inf');
  assert.ok(inf !== undefined && inf.value > 0, `the failed view has data: ${JSON.stringify(panel)}`);
  const p99 = await prometheus.query(
    'histogram_quantile(0.99, sum by (le, stage) (rate(tidemark_stage_duration_seconds_bucket{job=~".*", instance=~".*", outcome=~"failed"}[1m])))',
  );
  assert.deepEqual(p99.map((series) => series.metric['stage']).sort(), ['end_to_end', 'output_wait', 'processing', 'queue_wait', 'transport']);
  for (const series of p99) assert.ok(Number.isFinite(series.value) && series.value >= 0, `p99 of ${series.metric['stage']}: ${series.value}`);
});
