import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Engine } from '../src/index.js';
import type { EngineOptions, EngineRecord } from '../src/index.js';
import type { WindowSpec } from '../src/reduce/window-spec.js';
import { fixture } from './helpers/gates.js';
import { recordsOf, until, within } from './helpers/wait.js';
import { referenceReduce, resultKeys } from './helpers/window-reference.js';
import type { RefMessage, RefResult } from './helpers/window-reference.js';

// Windowed reduce on real workers: results against the sequential
// reference, the watermark rule, acks after the window's result, late data,
// a worker crash, the end of the input and the memory bound.

interface Ran {
  records: EngineRecord[];
  /** Each record with the watermark published before it was taken. */
  violations: string[];
  acksBeforeFirstResult: number;
}

async function run(options: EngineOptions, messages: readonly { key: string; eventTime: number; value: unknown }[]): Promise<Ran> {
  const engine = new Engine({ threads: 2, concurrency: 6, ...options });
  let watermark = Number.NEGATIVE_INFINITY;
  let acks = 0;
  engine.on('watermark', (w) => (watermark = w));
  engine.on('ack', () => acks++);
  const ran: Ran = { records: [], violations: [], acksBeforeFirstResult: -1 };
  try {
    await within(
      (async () => {
        for await (const record of engine.process(messages)) {
          if (record.kind === 'output' && record.window !== undefined && ran.acksBeforeFirstResult === -1) ran.acksBeforeFirstResult = acks;
          if (record.late !== true && record.eventTime < watermark) ran.violations.push(`${JSON.stringify(record)} after watermark ${watermark}`);
          ran.records.push(record);
        }
      })(),
      'the reduce run to end',
    );
  } finally {
    await engine.close();
  }
  return ran;
}

const asResults = (records: readonly EngineRecord[]): RefResult[] =>
  records.flatMap((r) => (r.kind === 'output' && r.window !== undefined ? [{ key: r.key as string, ...r.window, values: r.value as number[] }] : []));

const specs: fc.Arbitrary<WindowSpec> = fc.oneof(
  fc.integer({ min: 2, max: 20 }).map((tumbling) => ({ tumbling })),
  fc.integer({ min: 2, max: 20 }).chain((size) => fc.integer({ min: 1, max: size }).map((every) => ({ sliding: { size, every } }))),
  fc.integer({ min: 1, max: 10 }).map((gap) => ({ session: { gap } })),
);

test('windowed reduce on workers equals the sequential reference (random windows, latencies, out-of-order and late data, retries), and keeps the watermark rule', async () => {
  await fc.assert(
    fc.asyncProperty(
      specs,
      fc.constantFrom(0, 5),
      fc.constantFrom(0, 8),
      fc.array(fc.record({ key: fc.integer({ min: 0, max: 3 }), step: fc.integer({ min: 0, max: 4 }), back: fc.integer({ min: 0, max: 20 }), ms: fc.integer({ min: 0, max: 3 }), fail: fc.constantFrom(0, 0, 0, 1) }), { minLength: 1, maxLength: 40 }),
      async (window, allowedLateness, bound, drawn) => {
        let trend = 1000;
        const messages: RefMessage[] = drawn.map((d, offset) => ({ offset, key: `k${d.key}`, eventTime: (trend += d.step) - d.back, value: offset }));
        const expected = referenceReduce(messages, window, allowedLateness, bound);
        const ran = await run(
          { reduce: fixture('reduce/collect-slow.js'), window, allowedLateness, watermark: { maxOutOfOrderness: bound }, retry: { attempts: 3, backoff: { initial: 1, max: 1 } } },
          messages.map((m, i) => ({ key: m.key, eventTime: m.eventTime, value: { n: m.value, ms: drawn[i]?.ms, fail: drawn[i]?.fail } })),
        );
        assert.deepEqual(ran.violations, []);
        assert.deepEqual(resultKeys(asResults(ran.records)), resultKeys(expected.results));
        const late = ran.records.filter((r) => r.kind === 'output' && r.window === undefined);
        assert.deepEqual(late.map((r) => r.offset).sort((a, b) => a - b), expected.late);
        for (const record of late) assert.equal(record.late, true);
      },
    ),
    { numRuns: 25 },
  );
});

test("a message is acked only after its window's result was handed over; a result record has the documented shape", async () => {
  const messages = [0, 3, 5, 12, 14, 25].map((t, i) => ({ key: 'a', eventTime: t, value: i }));
  const ran = await run({ reduce: fixture('reduce/sum.js'), window: { tumbling: 10 } }, messages);
  assert.equal(ran.acksBeforeFirstResult, 0, 'no message acked before the first result');
  assert.deepEqual(ran.records, [
    { kind: 'output', offset: 0, key: 'a', window: { start: 0, end: 10 }, eventTime: 9, value: 0 + 1 + 2 },
    { kind: 'output', offset: 3, key: 'a', window: { start: 10, end: 20 }, eventTime: 19, value: 3 + 4 },
    { kind: 'output', offset: 5, key: 'a', window: { start: 20, end: 30 }, eventTime: 29, value: 5 },
  ]);
});

test('a message later than the allowed lateness comes out as a late record, counted, and changes no window', async () => {
  const engine = new Engine({ reduce: fixture('reduce/sum.js'), window: { tumbling: 10 }, allowedLateness: 5, threads: 1, concurrency: 2 });
  try {
    // 12 moves the clock to 12; 8 is late against it but within the lateness of [0,10) (10 + 5 > 12), so it joins;
    // 30 closes [0,10) and [10,20); 2 is then later than allowed: a late record.
    const records: EngineRecord[] = [];
    for await (const r of engine.process([1, 12, 8, 30, 2, 40].map((t) => ({ key: 'k', eventTime: t, value: t })))) records.push(r);
    const late = records.filter((r) => r.late === true);
    assert.deepEqual(late, [{ kind: 'output', offset: 4, key: 'k', eventTime: 2, value: 2, late: true }]);
    assert.equal(engine.stats?.tooLate, 1);
    const sums = Object.fromEntries(records.filter((r) => r.kind === 'output' && r.window !== undefined).map((r) => [(r as { window: { start: number } }).window.start, (r as { value: number }).value]));
    assert.deepEqual(sums, { 0: 1 + 8, 10: 12, 30: 30, 40: 40 });
  } finally {
    await engine.close();
  }
});

test("a worker that dies takes its accumulators along: the window's result is computed again from its messages, nothing lost", async () => {
  const messages = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 3}`, eventTime: i, value: { n: i, exit: i === 7 } }));
  const ran = await run({ reduce: fixture('reduce/exit-once.js'), window: { tumbling: 10 } }, messages);
  const got = asResults(ran.records);
  const want = referenceReduce(messages.map((m, offset) => ({ offset, key: m.key, eventTime: m.eventTime, value: m.value.n })), { tumbling: 10 }, 0, 0).results;
  assert.deepEqual(resultKeys(got), resultKeys(want));
});

test('at the memory bound (every message in flight held by an open window) the earliest window closes early; every message is in exactly one result', async () => {
  // Room for 1 + 2 + 2 messages in flight; one key's window of 1000 holds them all until the bound closes it.
  const messages = Array.from({ length: 40 }, (_, i) => ({ key: 'k', eventTime: i, value: 1 }));
  const ran = await run(
    { reduce: fixture('reduce/sum.js'), window: { tumbling: 1000 }, threads: 1, concurrency: 2, buffers: { input: { messages: 1 }, output: { messages: 2 } } },
    messages,
  );
  const total = ran.records.reduce((sum, r) => sum + (r.kind === 'output' ? (r.value as number) : 0), 0);
  assert.equal(total, 40, 'every message counted once');
  assert.ok(ran.records.length > 1, 'the window was closed early at least once');
});

test('reduce options are checked, each error naming its option', () => {
  const reduce = fixture('reduce/sum.js');
  const cases: [Record<string, unknown>, string][] = [
    [{ reduce }, 'window'],
    [{ reduce, transform: fixture('identity.js'), window: { tumbling: 1 } }, 'transform'],
    [{ reduce, window: { tumbling: 1 }, transport: 'task' }, 'transport'],
    [{ reduce, window: { tumbling: 1 }, ordering: 'key' }, 'ordering'],
    [{ reduce, window: { tumbling: 1 }, mode: 'batch' }, 'mode'],
    [{ reduce, window: { sliding: { size: 5, every: 10 } } }, 'window.sliding.every'],
    [{ reduce, window: { tumbling: 0 } }, 'window.tumbling'],
    [{ reduce, window: { hopping: 3 } }, 'window'],
    [{ reduce, window: { tumbling: 1 }, allowedLateness: -1 }, 'allowedLateness'],
    [{ reduce, window: { tumbling: 1 }, buffers: { output: { overflow: 'drop-oldest' } } }, 'buffers.output.overflow'],
    [{ reduce, window: { tumbling: 1 }, buffers: { input: { overflow: 'drop-newest' } } }, 'buffers.input.overflow'],
    [{ reduce, window: { tumbling: 1 }, buffers: { processing: { overflow: 'reject' } } }, 'buffers.processing.overflow'],
    [{ transform: fixture('identity.js'), window: { tumbling: 1 } }, 'window'],
    [{}, 'transform'],
  ];
  for (const [options, option] of cases) {
    assert.throws(() => new Engine(options), { code: 'ERR_TIDEMARK_INVALID_OPTION', option }, JSON.stringify(options));
  }
});

test('a run stopped before the end of its input (abort) emits no open window: it ends with their messages unacked, and a restart from the committed offset computes the window whole', async () => {
  const engine = new Engine({ reduce: fixture('reduce/sum.js'), window: { tumbling: 1000 }, threads: 1, concurrency: 2 });
  try {
    let acks = 0;
    engine.on('ack', () => acks++);
    const controller = new AbortController();
    let quiet: () => void = () => {};
    async function* source(): AsyncGenerator<{ key: string; eventTime: number; value: number }> {
      for (let i = 0; i < 5; i++) yield { key: 'k', eventTime: 10 + i, value: 1 };
      await new Promise<void>((resolve) => (quiet = resolve)); // goes quiet until the test ends it
    }
    const records: EngineRecord[] = [];
    const consumed = (async () => {
      for await (const record of engine.process(source(), { signal: controller.signal })) records.push(record);
    })();
    await until(() => engine.traces().filter((trace) => trace.stage === 'windowed').length === 5, 'the five messages held by their window');
    controller.abort();
    quiet();
    await within(consumed, 'the stopped run to end');
    assert.deepEqual(records, [], 'no partial window');
    assert.equal(acks, 0, 'the held messages are not acked');
    assert.equal(engine.committedOffset, 0, 'a restart resumes at the earliest held message');
    const again: EngineRecord[] = [];
    const rest = Array.from({ length: 8 }, (_, i) => ({ key: 'k', eventTime: 10 + i, value: 1, offset: i }));
    for await (const record of engine.process(rest)) again.push(record);
    assert.deepEqual(again.map((r) => (r.kind === 'output' ? r.value : r.kind)), [8], 'the window whole, once');
  } finally {
    await engine.close();
  }
});

test('an event time beyond ±2^52 ms fails its message (it cannot be windowed exactly, nor move the watermark); a sliding window over 1000 windows a message is refused', async () => {
  const engine = new Engine({ reduce: fixture('reduce/sum.js'), window: { sliding: { size: 100, every: 1 } }, threads: 1 });
  try {
    const records = await recordsOf(engine, [{ key: 'a', eventTime: 1e17, value: 1 }, { key: 'a', eventTime: 5, value: 2 }]);
    const failed = records.filter((r) => r.kind === 'failed');
    assert.equal(failed.length, 1);
    assert.match(failed[0]?.kind === 'failed' ? failed[0].error.message : '', /event times from -2\^52 to 2\^52/);
    assert.equal(failed[0]?.offset, 0);
    const sums = records.filter((r) => r.kind === 'output');
    assert.equal(sums.length, 100, 'the message at 5 is in its 100 windows, none of them late');
    assert.ok(sums.every((r) => r.late !== true && r.value === 2));
  } finally {
    await engine.close();
  }
  assert.throws(() => new Engine({ reduce: fixture('reduce/sum.js'), window: { sliding: { size: 1e8, every: 1 } } }), { code: 'ERR_TIDEMARK_INVALID_OPTION', option: 'window.sliding.every' });
});

test('sliding windows at the memory bound: each early result frees no message (all are in later windows too), and the run still goes on to the end, every message in its windows or late', async () => {
  const messages = Array.from({ length: 60 }, (_, i) => ({ key: 'k', eventTime: i, value: { n: i, ms: 0 } }));
  const ran = await run(
    { reduce: fixture('reduce/collect-slow.js'), window: { sliding: { size: 30, every: 10 } }, threads: 1, concurrency: 2, buffers: { input: { messages: 1 }, output: { messages: 3 } } },
    messages,
  );
  const tooLate = new Set(ran.records.filter((r) => r.late === true && r.window === undefined).map((r) => r.offset));
  const seen = new Map<number, number>();
  for (const record of ran.records) {
    if (record.kind !== 'output' || record.window === undefined) continue;
    const values = record.value as number[];
    assert.equal(new Set(values).size, values.length, 'no message twice in a window');
    for (const n of values) seen.set(n, (seen.get(n) ?? 0) + 1);
  }
  for (let n = 0; n < 60; n++) {
    const windows = seen.get(n) ?? 0;
    if (tooLate.has(n)) assert.equal(windows, 0, `${n} is late and in no window`);
    else assert.ok(windows >= 1 && windows <= 3, `${n} is in ${windows} windows`);
  }
});

test("an add that never settles fails its message at the timeout and lets its key go on: the key's later messages, and the next run, are reduced", async () => {
  const engine = new Engine({ reduce: fixture('reduce/hang-add.js'), window: { tumbling: 100 }, threads: 1, timeout: 200, retry: { attempts: 1 } });
  try {
    const first = await recordsOf(engine, [1, 2, 3, 4].map((n) => ({ key: 'a', eventTime: n, value: { n, hang: n === 2 } })));
    assert.deepEqual(first.filter((r) => r.kind === 'failed').map((r) => r.offset), [1]);
    assert.deepEqual(first.filter((r) => r.kind === 'output').map((r) => r.value), [[1, 3, 4]]);
    const second = await recordsOf(engine, [5, 6].map((n) => ({ key: 'a', eventTime: n, value: { n } })));
    assert.deepEqual(second.map((r) => (r.kind === 'output' ? r.value : r.kind)), [[5, 6]]);
  } finally {
    await engine.close();
  }
});
