import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, InvalidOptionError, partitioned } from '../src/index.js';
import type { EngineRecord, Output } from '../src/index.js';
import { Gates, fixture, gatedEngine } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

// Partitioned input: each partition has its own input watermark, the output
// watermark is the minimum over the partitions that are not idle, and
// offsets are committed per partition.

/** A source that never gives more until `stop()`: a quiet partition. */
function quiet(first: { value: unknown; eventTime: number }) {
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  return {
    stop: () => stop(),
    async *items() {
      yield first;
      await stopped;
    },
  };
}

forEachTransport((transport) => {
  test('the output watermark is the minimum over partitions; records carry their partition; offsets count per partition', async (t) => {
    const engine = new Engine({ transport, transform: fixture('identity.js'), threads: 1, watermark: { maxOutOfOrderness: 0 } });
    t.after(() => engine.close());
    const watermarks: number[] = [];
    engine.on('watermark', (value) => watermarks.push(value));
    const fast = Array.from({ length: 20 }, (_, i) => ({ value: `a${i}`, eventTime: 1000 + i * 100 }));
    const slow = Array.from({ length: 5 }, (_, i) => ({ value: `b${i}`, eventTime: 10 + i }));
    const records: EngineRecord[] = [];
    for await (const record of engine.process(partitioned({ a: fast, b: slow }))) records.push(record);
    const outputs = records as Output[];
    assert.equal(outputs.length, 25);
    assert.deepEqual(
      outputs.filter((r) => r.partition === 'a').map((r) => r.offset),
      Array.from({ length: 20 }, (_, i) => i),
      "a's offsets are its own",
    );
    assert.deepEqual(outputs.filter((r) => r.partition === 'b').map((r) => [r.offset, r.value]), slow.map((r, i) => [i, r.value]));
    // While b had messages in flight or to come, it held the output back at
    // its own event times (b's largest is 14), whatever a had reached.
    assert.ok(watermarks.length > 0);
    for (const value of watermarks.slice(0, -1)) assert.ok(value <= 1000 + 19 * 100, `${value}`);
    assert.ok(watermarks.every((value, i) => i === 0 || value > (watermarks[i - 1] as number)), 'never decreases');
    assert.ok(Math.max(...watermarks) <= 14, `the source ended: the minimum stays b's, got ${watermarks.join(', ')}`);
    assert.deepEqual([...engine.committedOffsets], [
      ['a', 20],
      ['b', 5],
    ]);
    assert.equal(records.filter((r) => r.kind === 'output' && r.late === true).length, 0, 'nothing late: each partition is in order');
  });

  test('an idle partition does not hold the output back; a busy one does', async (t) => {
    const gates = new Gates(4);
    const engine = gatedEngine(t, transport, gates, { threads: 1, concurrency: 4, watermark: { maxOutOfOrderness: 0, idleAfter: 0 } });
    const b = quiet({ ...gates.message(3), eventTime: 50 });
    t.after(() => b.stop());
    let release: () => void = () => {};
    const more = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* a() {
      yield { ...gates.message(0), eventTime: 100 };
      yield { ...gates.message(1), eventTime: 200 };
      yield { ...gates.message(2), eventTime: 300 }; // held at its worker: a stays busy
      await more;
    }
    const records = engine.process(partitioned({ a: a(), b: b.items() }));
    const taken: number[] = [];
    const consumer = (async () => {
      for await (const record of records) taken.push(record.offset);
    })();
    await gates.started(4);
    gates.open(3);
    gates.open(0);
    gates.open(1);
    // b's one message and a's first two are acked; the reader waits on both
    // sources. b is quiet with nothing in flight: idle. a's third message is
    // in flight under 200, so the output is 200, not b's 50.
    await until(() => engine.watermark === 200, 'the watermark at a in-flight low, past quiet b', () => engine.watermark);
    assert.equal(taken.length, 3);
    gates.open(2);
    release();
    b.stop();
    await within(consumer, 'the run to end');
    assert.deepEqual(taken.sort(), [0, 0, 1, 2]);
  });
});

test('a bad record in a partition is a failed record of that partition, with its offset, and does not hold the watermark', async (t) => {
  const engine = new Engine({ transform: fixture('identity.js'), threads: 1, watermark: { maxOutOfOrderness: 0 } });
  t.after(() => engine.close());
  const a = [{ value: 1, eventTime: 100 }, { value: 2, eventTime: Number.NaN }, 'not a record', { value: 3, eventTime: 200 }];
  const records: EngineRecord[] = [];
  for await (const record of engine.process(partitioned({ a: a as { value: unknown }[] }))) records.push(record);
  assert.deepEqual(
    records.sort((x, y) => x.offset - y.offset).map((r) => [r.kind, r.partition, r.offset]),
    [
      ['output', 'a', 0],
      ['failed', 'a', 1],
      ['failed', 'a', 2],
      ['output', 'a', 3],
    ],
  );
  assert.equal(engine.watermark, 200, 'the bad records did not hold the watermark back');
  assert.deepEqual([...engine.committedOffsets], [['a', 4]]);
});

test('a record of a partition back from idle below the published watermark is flagged late', async (t) => {
  const gates = new Gates(4);
  const engine = gatedEngine(t, 'ring', gates, { threads: 2, concurrency: 2, watermark: { maxOutOfOrderness: 0, idleAfter: 0 } });
  for (const open of [0, 1, 3]) gates.open(open);
  let resumeB: () => void = () => {};
  const bResumed = new Promise<void>((resolve) => {
    resumeB = resolve;
  });
  let endA: () => void = () => {};
  const aEnded = new Promise<void>((resolve) => {
    endA = resolve;
  });
  async function* a() {
    yield { ...gates.message(1), eventTime: 5000 };
    yield { ...gates.message(2), eventTime: 6000 }; // held at its worker: a stays busy, its low 5000
    await aEnded;
  }
  async function* b() {
    yield { ...gates.message(0), eventTime: 1000 };
    await bResumed; // quiet: b goes idle
    yield { ...gates.message(3), eventTime: 1200 };
  }
  const records: EngineRecord[] = [];
  const run = (async () => {
    for await (const record of engine.process(partitioned({ a: a(), b: b() }))) records.push(record);
  })();
  await until(() => engine.watermark === 5000, 'the output at busy a, past idle b', () => engine.watermark);
  resumeB();
  await until(() => records.some((r) => r.partition === 'b' && r.offset === 1), "b's second record handed over");
  const late = records.find((r) => r.partition === 'b' && r.offset === 1) as Output;
  assert.equal(late.eventTime, 1200);
  assert.equal(late.late, true, 'below the published 5000: late, though on time for b alone');
  assert.equal(engine.stats?.late, 1);
  gates.open(2);
  endA();
  await within(run, 'the run to end');
});

test('partitioned() refuses what is not a map of sources', () => {
  assert.throws(() => partitioned({}), InvalidOptionError);
  assert.throws(() => partitioned({ a: 5 as unknown as [] }), (error: unknown) => error instanceof InvalidOptionError && error.option === 'source.a');
});

test('a record whose partition is not a string or a finite number is a failed record', async (t) => {
  const engine = new Engine({ transform: fixture('identity.js'), threads: 1 });
  t.after(() => engine.close());
  const records: EngineRecord[] = [];
  for await (const record of engine.process([{ value: 1, partition: {} as unknown as string }, { value: 2, partition: 7 }])) records.push(record);
  assert.deepEqual(
    records.map((r) => [r.kind, r.kind === 'failed' ? r.error.code : r.partition]),
    [
      ['failed', 'ERR_TIDEMARK_INVALID_MESSAGE'],
      ['output', 7],
    ],
  );
});

forEachTransport((transport) => {
  test('a partition item whose getter or Proxy throws is a failed record in its partition; a value from a class getter is kept', async (t) => {
    const engine = new Engine({ transport, transform: fixture('identity.js'), threads: 1 });
    t.after(() => engine.close());
    const { proxy: revoked, revoke } = Proxy.revocable({ value: 'revoked' }, {});
    revoke();
    class Item {
      get value(): string {
        return 'from a class';
      }
    }
    const items = [
      { value: 'first' },
      {
        value: 'getter',
        get key(): string {
          throw new Error('the key getter exploded');
        },
      },
      revoked,
      new Item(),
      { value: 'last' },
    ];
    const records: EngineRecord[] = [];
    await within(
      (async () => {
        for await (const record of engine.process(partitioned({ p: items, q: [{ value: 'other' }] }))) records.push(record);
      })(),
      'the partitioned run',
    );
    const p = records.filter((record) => record.partition === 'p').sort((a, b) => a.offset - b.offset);
    assert.deepEqual(
      p.map((record) => [record.offset, record.kind === 'output' ? record.value : record.error.code]),
      [
        [0, 'first'],
        [1, 'ERR_TIDEMARK_INVALID_MESSAGE'],
        [2, 'ERR_TIDEMARK_INVALID_MESSAGE'],
        [3, 'from a class'],
        [4, 'last'],
      ],
    );
    assert.match((p[1] as EngineRecord & { kind: 'failed' }).error.message, /the key getter exploded/);
    assert.deepEqual(records.filter((record) => record.partition === 'q').map((record) => record.offset), [0]);
  });

  test('a partition item with a bad offset fails at its arrival number in its partition; the committed offsets stay per partition', async (t) => {
    const engine = new Engine({ transport, transform: fixture('identity.js'), threads: 1 });
    t.after(() => engine.close());
    const records: EngineRecord[] = [];
    const source = partitioned({ p0: [{ value: 'a' }, { value: 'b', offset: 1.5 }], p1: [{ value: 'c' }, { value: 'd' }] });
    for await (const record of engine.process(source)) records.push(record);
    const bad = records.find((record) => record.kind === 'failed');
    assert.ok(bad !== undefined, 'the item with offset 1.5 is a failed record');
    assert.deepEqual([bad.partition, bad.offset, bad.error.code], ['p0', 1, 'ERR_TIDEMARK_INVALID_MESSAGE']);
    assert.deepEqual(Object.fromEntries(engine.committedOffsets), { p0: 2, p1: 2 });
  });
});
