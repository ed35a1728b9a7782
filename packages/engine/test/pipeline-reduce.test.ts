import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pipeline } from '../src/index.js';
import type { PipelineAck, PipelineRecord } from '../src/index.js';
import { seededRandom } from '../src/workload/index.js';
import { fixture } from './helpers/gates.js';
import { within } from './helpers/wait.js';

// A reduce stage last: the windows of a pipeline's messages (a transform
// before it makes 0, 1 or 2 of each source message) come out as one result
// per key and window, equal to a sequential count, and every source message
// is done exactly once, when the results of its windows were handed over.

const MESSAGES = 300;
const WINDOW = 100;

test('a pipeline ending in a windowed reduce: each window once, as the sequential count says; each source message done once', async (t) => {
  const random = seededRandom(0x5eed);
  const source = Array.from({ length: MESSAGES }, (_, n) => {
    const r = random();
    const out = r < 0.1 ? 0 : r < 0.25 ? 2 : 1;
    return { value: { n, plan: { a: { out } } }, key: `k${n % 3}`, eventTime: 1000 + 7 * n, out };
  });
  const pipeline = new Pipeline({
    threads: 1,
    watermark: { maxOutOfOrderness: 0 },
    stages: [
      { name: 'a', transform: fixture('pipeline/step.js?stage=a'), concurrency: 8 },
      // No allowed lateness: the watermark is carried from stage a, so however a reorders its outputs, none is late here.
      { name: 'sum', reduce: fixture('pipeline/count.js'), window: { tumbling: WINDOW }, allowedLateness: 0 },
    ],
  });
  t.after(() => within(pipeline.close(), 'the pipeline to close'));
  const acks: PipelineAck[] = [];
  pipeline.on('ack', (ack) => acks.push(ack));
  const records: PipelineRecord[] = [];
  await within(
    (async () => {
      for await (const record of pipeline.process(source.map(({ value, key, eventTime }) => ({ value, key, eventTime })))) records.push(record);
    })(),
    'the run to end',
  );
  // The sequential count: per key and window, each copy of each message.
  const model = new Map<string, number[]>();
  for (const { value, key, eventTime, out } of source) {
    const start = Math.floor(eventTime / WINDOW) * WINDOW;
    const at = `${key} ${start}`;
    for (let copy = 0; copy < out; copy++) model.set(at, [...(model.get(at) ?? []), value.n]);
  }
  const got = new Map<string, number[]>();
  for (const record of records) {
    assert.equal(record.kind, 'output', JSON.stringify(record));
    if (record.kind !== 'output') continue;
    assert.equal(record.stage, 'sum');
    assert.equal(record.late, undefined, 'nothing late');
    const window = record.window as { start: number; end: number };
    assert.equal(window.end - window.start, WINDOW);
    assert.equal(record.eventTime, window.end - 1);
    const at = `${record.key} ${window.start}`;
    assert.ok(!got.has(at), `one result for ${at}`);
    const value = record.value as { count: number; ns: number[] };
    assert.equal(value.count, value.ns.length);
    got.set(at, value.ns);
    assert.ok(value.ns.includes(record.offset), `the result's offset ${record.offset} is one of its window's source messages`);
  }
  assert.deepEqual(new Map([...got].sort()), new Map([...model].map(([at, ns]): [string, number[]] => [at, ns.sort((a, b) => a - b)]).sort()));
  assert.deepEqual(acks.map((ack) => ack.offset).sort((a, b) => a - b), source.map((_, n) => n), 'each source message done once');
  for (const ack of acks) {
    const { out } = source[ack.offset] as (typeof source)[number];
    if (out === 0) assert.equal(ack.drops, 1, `message ${ack.offset}, dropped by stage a`);
    else assert.equal(ack.outputs + ack.reduced, out, `message ${ack.offset}: its ${out} messages went into windows`);
  }
  assert.equal(pipeline.committedOffset, MESSAGES);
  assert.equal(pipeline.stats?.emitted, records.length);
});

test('a pipeline stopped mid-input (abort) emits no part window from its reduce stage; a restart from its committed offset computes that window whole', async (t) => {
  const pipeline = new Pipeline({
    threads: 1,
    watermark: { maxOutOfOrderness: 0 },
    stages: [
      { name: 'a', transform: fixture('pipeline/step.js?stage=a'), concurrency: 4 },
      { name: 'sum', reduce: fixture('pipeline/count.js'), window: { tumbling: 10 } },
    ],
  });
  t.after(() => within(pipeline.close(), 'the pipeline to close'));
  const controller = new AbortController();
  let quiet: () => void = () => {};
  async function* source(): AsyncGenerator<{ value: { n: number }; key: string; eventTime: number }> {
    for (let n = 0; n < 25; n++) yield { value: { n }, key: 'k', eventTime: n };
    await new Promise<void>((resolve) => (quiet = resolve)); // quiet until the test ends it
  }
  const records: PipelineRecord[] = [];
  await within(
    (async () => {
      for await (const record of pipeline.process(source(), { signal: controller.signal })) {
        records.push(record);
        if (records.length === 2) {
          controller.abort();
          quiet();
        }
      }
    })(),
    'the stopped run to end',
  );
  const windows = (list: PipelineRecord[]): string[] => list.map((r) => (r.kind === 'output' ? `${r.window?.start}:${(r.value as { count: number }).count}` : r.kind));
  assert.deepEqual(windows(records), ['0:10', '10:10'], 'no part of [20, 30)');
  assert.equal(pipeline.committedOffset, 20);
  const again: PipelineRecord[] = [];
  const rest = Array.from({ length: 20 }, (_, i) => ({ value: { n: 20 + i }, key: 'k', eventTime: 20 + i, offset: 20 + i }));
  await within(
    (async () => {
      for await (const record of pipeline.process(rest)) again.push(record);
    })(),
    'the restart to end',
  );
  assert.deepEqual(windows(again), ['20:10', '30:10'], 'the window whole, once');
});
