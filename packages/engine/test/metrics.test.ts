import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { Engine } from '../src/index.js';
import type { MessageTrace } from '../src/index.js';
import { Gates, fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { sample as value, scrape } from './helpers/prometheus.js';
import { until } from './helpers/wait.js';
import { metricNames } from './helpers/metric-names.js';

const names: readonly string[] = metricNames;

/** Epoch ms as the engine's clock reads it (`performance.timeOrigin + performance.now()`). */
const clock = (): number => performance.timeOrigin + performance.now();

/** `actual` lies in [low, high]: a value read between two readings of the same clock. */
function between(actual: number, low: number, high: number, what: string): void {
  assert.ok(actual >= low && actual <= high, `${what}: ${actual} is not within [${low}, ${high}]`);
}

forEachTransport((transport) => {
  test('a scrape during a run shows every metric, and the values move as the run goes on', async (t) => {
    const engine = new Engine({
      transport,
      transform: fixture('gated.js'),
      threads: 2,
      concurrency: 4,
      buffers: { output: { bytes: 1_000_000 } }, // so that the byte gauges have a sample
      metrics: { registry: new Registry(), port: 0 },
    });
    t.after(() => engine.close());
    const port = (await engine.metricsPort) as number;
    const acked: MessageTrace[] = [];
    engine.on('ack', (trace) => acked.push(trace));
    const gates = new Gates(10);
    const records = engine.process(Array.from({ length: 10 }, (_, i) => ({ ...gates.message(i), eventTime: 1000 + i })));
    gates.open(0);
    assert.equal((await records.next()).value?.offset, 0);
    const second = records.next(); // acks offset 0: the watermark is now set
    await gates.started(5); // offset 4 took its slot
    // Offset 5 waits in the one-message input buffer; the reader stops there.
    await until(() => engine.buffers.input.fill === 1, 'offset 5 in the input buffer', () => engine.buffers);
    const oldest = engine.traces()[0] as MessageTrace;
    assert.equal(oldest.offset, 1, 'the oldest message in flight');

    const before = clock();
    const during = await scrape(port);
    const after = clock();
    for (const name of names) {
      assert.ok([...during.keys()].some((key) => key.startsWith(name)), `${name} is in the scrape`);
    }
    assert.equal(value(during, 'tidemark_processing_messages'), 4, 'four at the workers');
    assert.equal(value(during, 'tidemark_concurrency_target'), 4);
    assert.equal(value(during, 'tidemark_in_flight_messages'), 5, 'offsets 1-4 at the workers and 5 in the input buffer');
    assert.equal(value(during, 'tidemark_buffer_fill_messages{buffer="input"}'), 1);
    assert.equal(value(during, 'tidemark_buffer_fill_messages{buffer="output"}'), 0);
    assert.equal(value(during, 'tidemark_buffer_fill_messages{buffer="processing"}'), 4);
    assert.equal(value(during, 'tidemark_buffer_capacity_messages{buffer="processing"}'), 4);
    assert.equal(value(during, 'tidemark_buffer_capacity_bytes{buffer="output"}'), 1_000_000);
    assert.equal(value(during, 'tidemark_buffer_fill_bytes{buffer="output"}'), 0, 'nothing settled and not taken');
    assert.equal(value(during, 'tidemark_messages_dropped_total{buffer="output",policy="drop-oldest"}'), 0);
    assert.equal(value(during, 'tidemark_busy_workers'), 2, 'four messages on two threads of two each');
    assert.equal(value(during, 'tidemark_workers'), 2);
    assert.equal(value(during, 'tidemark_messages_acked_total'), 1);
    assert.equal(value(during, 'tidemark_watermark_seconds'), 1.0);
    assert.equal(value(during, 'tidemark_stage_duration_seconds_count{stage="end_to_end",outcome="ok"}'), 1);
    between(value(during, 'tidemark_oldest_in_flight_age_seconds'), (before - oldest.readAt) / 1000, (after - oldest.readAt) / 1000, 'the age of offset 1');

    for (let i = 1; i < 10; i++) gates.open(i);
    await second;
    let outputs = 2;
    for await (const record of records) if (record.kind === 'output') outputs++;
    assert.equal(outputs, 10);

    const beforeEnd = clock();
    const end = await scrape(port);
    const afterEnd = clock();
    assert.equal(value(end, 'tidemark_messages_read_total'), 10);
    assert.equal(value(end, 'tidemark_messages_acked_total'), 10);
    assert.equal(value(end, 'tidemark_messages_emitted_total'), 10);
    assert.equal(value(end, 'tidemark_processing_messages'), 0);
    assert.equal(value(end, 'tidemark_in_flight_messages'), 0);
    assert.equal(value(end, 'tidemark_watermark_seconds'), 1.009, 'max event time (ms) / 1000');
    between(value(end, 'tidemark_watermark_lag_seconds'), (beforeEnd - 1009) / 1000, (afterEnd - 1009) / 1000, 'now - 1.009 s');
    for (const stage of ['queue_wait', 'transport', 'processing', 'output_wait', 'end_to_end']) {
      assert.equal(value(end, `tidemark_stage_duration_seconds_count{stage="${stage}",outcome="ok"}`), 10, stage);
      assert.equal(value(end, `tidemark_stage_duration_seconds_bucket{stage="${stage}",outcome="ok",le="+Inf"}`), 10);
    }
    const traces = acked.map((trace) => (trace.ackedAt - trace.readAt) / 1000);
    assert.ok(
      Math.abs(value(end, 'tidemark_stage_duration_seconds_sum{stage="end_to_end",outcome="ok"}') - traces.reduce((a, b) => a + b, 0)) < 1e-9,
      'the end-to-end sum is the sum of the acked traces',
    );
  });

  test('metrics go on the registry given, come off it at close, and /metrics is the only path', async () => {
    const registry = new Registry();
    const engine = new Engine({ transport, transform: fixture('echo.js'), threads: 1, metrics: { registry, port: 0 } });
    const port = (await engine.metricsPort) as number;
    assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
    assert.ok(registry.getSingleMetric('tidemark_messages_acked_total') !== undefined);
    await engine.close();
    assert.equal(registry.getSingleMetric('tidemark_messages_acked_total'), undefined);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`));
  });
});
