import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { EngineClosedError, Pipeline } from '../src/index.js';
import type { PipelineAck, PipelineOptions, PipelineRecord, SourceRecord } from '../src/index.js';
import { Gates, fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import type { TestTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

// Each message moves through the stages on its own: held in the first stage,
// it holds back no other message, only the committed offset and the
// watermark. Abort, close and dispose end a run without a hang, and the
// stage engines' metrics carry their stage.

const step = (stage: string): URL => fixture(`pipeline/step.js?stage=${stage}`);

/** decode (gated.js: held until the test opens its gate) → features (p and q, joined) → score. */
function stages(transport: TestTransport): PipelineOptions {
  return {
    threads: 1,
    transport,
    stages: [
      { name: 'decode', transform: fixture('gated.js'), concurrency: 4 },
      { name: 'features', parallel: { p: { transform: step('p') }, q: { transform: step('q') } }, join: step('j') },
      { name: 'score', transform: step('score') },
    ],
  };
}

function closedAfter(t: { after(fn: () => unknown): void }, pipeline: Pipeline, gates?: Gates): Pipeline {
  t.after(() => {
    if (gates !== undefined) for (let i = 0; i < gates.count; i++) gates.open(i);
    return within(pipeline.close(), 'the pipeline to close');
  });
  return pipeline;
}

forEachTransport((transport) => {
  test('a message held in the first stage holds back no other: they reach the end; the committed offset and the watermark wait for it', async (t) => {
    const messages = 6;
    const gates = new Gates(messages);
    const pipeline = closedAfter(t, new Pipeline({ ...stages(transport), watermark: { maxOutOfOrderness: 0 } }), gates);
    const watermarks: number[] = [];
    pipeline.on('watermark', (value) => watermarks.push(value));
    const acks: PipelineAck[] = [];
    pipeline.on('ack', (ack) => acks.push(ack));
    for (let i = 1; i < messages; i++) gates.open(i);
    const source = Array.from({ length: messages }, (_, index) => ({ ...gates.message(index, { out: { n: index } }), eventTime: 1000 + 10 * index }));
    const records = pipeline.process(source)[Symbol.asyncIterator]();
    const taken: PipelineRecord[] = [];
    for (let i = 1; i < messages; i++) {
      const next = await within(records.next(), `record ${i} of ${messages - 1} while message 0 is held`);
      assert.equal(next.done, false);
      taken.push(next.value);
    }
    assert.deepEqual(taken.map((record) => record.offset).sort(), [1, 2, 3, 4, 5], 'every message but the held one came out');
    for (const record of taken) {
      assert.equal(record.kind, 'output');
      assert.equal(record.stage, 'score');
      assert.equal(record.eventTime, 1000 + 10 * record.offset, 'the source event time');
      const value = record.kind === 'output' ? (record.value as { path: string[] }) : undefined;
      assert.deepEqual(value?.path, ['j', 'score'], 'through the join and the last stage');
    }
    assert.equal(gates.tries(0), 1, 'message 0 is at a worker of the first stage');
    // Asking for the next record acks the last one taken (then waits for message 0).
    const next = records.next();
    await until(() => acks.length === messages - 1, 'the others to be acked', () => acks.map((ack) => ack.offset));
    assert.equal(pipeline.committedOffset, 0, 'the committed offset waits for message 0');
    assert.ok(pipeline.watermark <= 1000, `the watermark ${pipeline.watermark} does not pass message 0's event time`);
    const held = pipeline.traces();
    assert.deepEqual(held.map(({ offset, stage, id }) => ({ offset, stage, id })), [{ offset: 0, stage: 'decode', id: undefined }]);
    assert.equal(held[0]?.engine?.stage, 'dispatched');
    assert.equal(pipeline.inFlight, 1);
    gates.open(0);
    const last = await within(next, 'message 0 once released');
    assert.equal(last.done, false);
    assert.equal((last.value as PipelineRecord).offset, 0);
    assert.equal((await within(records.next(), 'the end')).done, true);
    assert.equal(pipeline.committedOffset, messages);
    assert.deepEqual(acks.map((ack) => ack.offset).sort(), [0, 1, 2, 3, 4, 5]);
    assert.ok(watermarks.every((value, i) => i === 0 || value > (watermarks[i - 1] as number)), 'the watermark only rises');
    assert.equal(pipeline.watermark, 1000 + 10 * (messages - 1), 'at the end, the last event time read');
  });

  test('aborting stops reading the source; what was read goes through every stage and is acked', async (t) => {
    const pipeline = closedAfter(t, new Pipeline({ threads: 1, transport, stages: [{ name: 'a', transform: step('a') }, { name: 'b', transform: step('b') }] }));
    let reads = 0;
    async function* endless(): AsyncGenerator<SourceRecord> {
      for (let n = 0; ; n++) {
        reads++;
        yield { value: { n } };
      }
    }
    const abort = new AbortController();
    const offsets: number[] = [];
    await within(
      (async () => {
        for await (const record of pipeline.process(endless(), { signal: abort.signal })) {
          offsets.push(record.offset);
          if (offsets.length === 20) abort.abort();
        }
      })(),
      'the aborted run to drain and end',
    );
    const read = pipeline.stats?.read ?? 0;
    assert.ok(read >= 20 && read <= reads, `${read} read`);
    assert.deepEqual([...offsets].sort((a, b) => a - b), Array.from({ length: read }, (_, n) => n), 'every message read came out, once');
    assert.equal(pipeline.stats?.acked, read);
    assert.equal(pipeline.committedOffset, read);
    assert.equal(pipeline.inFlight, 0);
  });

  test('close() during a run ends it without a hang; after it, and after dispose, process() throws EngineClosedError', async (t) => {
    const pipeline = closedAfter(t, new Pipeline({ threads: 1, transport, stages: [{ name: 'a', transform: step('a') }, { name: 'b', transform: step('b') }] }));
    const records = pipeline.process((function* () {
      for (let n = 0; ; n++) yield { value: { n } };
    })());
    let taken = 0;
    for await (const record of records) {
      assert.equal(record.stage, 'b');
      if (++taken === 3) break;
    }
    await within(pipeline.close(), 'close() after the consumer left');
    assert.throws(() => pipeline.process([{ value: 1 }]), EngineClosedError);
    const disposed = new Pipeline({ threads: 1, transport, stages: [{ name: 'only', transform: step('only') }] });
    const during = disposed.process((function* () {
      for (let n = 0; ; n++) yield { value: { n } };
    })());
    assert.equal((await within(during.next(), 'a first record')).done, false);
    await within(disposed[Symbol.asyncDispose](), 'dispose during a run');
    let rest = 0;
    await within(
      (async () => {
        for await (const _ of during) rest++;
      })(),
      'the run to end after dispose',
    );
    assert.ok(rest >= 0);
    assert.throws(() => disposed.process([{ value: 1 }]), EngineClosedError);
  });
});

test('every stage engine\'s metrics carry its stage as `pipeline_stage` (and `branch`); the pipeline adds its own', async (t) => {
  const registry = new Registry();
  const pipeline = closedAfter(
    t,
    new Pipeline({
      threads: 1,
      metrics: { registry },
      stages: [
        { name: 'decode', transform: step('decode') },
        { name: 'features', parallel: { p: { transform: step('p') }, q: { transform: step('q') } }, join: step('j') },
      ],
    }),
  );
  let count = 0;
  for await (const _ of pipeline.process(Array.from({ length: 7 }, (_, n) => ({ value: { n } })))) count++;
  assert.equal(count, 7);
  const text = await registry.metrics();
  for (const labels of ['pipeline_stage="decode"', 'pipeline_stage="features",branch="p"', 'pipeline_stage="features",branch="q"', 'pipeline_stage="features",branch="join"']) {
    assert.match(text, new RegExp(`^tidemark_messages_acked_total\\{${labels}\\} 7$`, 'm'), `acked of ${labels}`);
  }
  // The engine's own `stage` label (where a message spent its time) stays beside the pipeline's.
  assert.match(text, /^tidemark_stage_duration_seconds_count\{stage="end_to_end",outcome="ok",pipeline_stage="features",branch="join"\} 7$/m);
  assert.match(text, /^tidemark_pipeline_messages_total\{outcome="completed"\} 7$/m);
  assert.match(text, /^tidemark_pipeline_in_flight_messages 0$/m);
  assert.match(text, /^tidemark_pipeline_held_messages\{pipeline_stage="features"\} 0$/m);
  assert.equal((text.match(/^# TYPE tidemark_messages_acked_total /gm) ?? []).length, 1, 'one metric per name');
  await pipeline.close();
  assert.doesNotMatch(await registry.metrics(), /tidemark_/, 'close() takes every metric off the registry');
});
