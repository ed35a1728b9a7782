import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { Engine, TransformError } from '../src/index.js';
import type { EngineRecord, MessageTrace, SourceRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import type { TestTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

// A transform spinning past `timeout` holds its worker's thread: nothing in
// that worker can end it. The engine terminates that worker a grace past the
// deadline, over either transport: the stuck try fails with TimeoutError,
// the messages waiting behind it on that worker go out again without being
// charged a try, and the run and close() end. The fixtures spin until the
// test opens their gate, which it does only after close() returned (or,
// should it fail, in t.after).
//
// spin.js spins in the transform's sync part. await-spin.js is the user's
// `async v => { await null; for (;;); }`: it spins after an await, once the
// sync part has returned a promise, where no marker names the message that
// holds the thread and its deadline timer cannot fire either. Every try
// started on that thread and still running past its deadline may then be
// the one that blocks it: each fails with TimeoutError, over either
// transport; tries not started there are not charged.

interface Run {
  records: EngineRecord[];
  acks: Map<number, number>;
  retried: number | undefined;
}

async function stuckRun(
  t: TestContext,
  transport: TestTransport,
  transform: string,
  gate: SharedArrayBuffer,
  source: () => Iterable<SourceRecord> | AsyncIterable<SourceRecord>,
): Promise<Run> {
  const engine = new Engine({
    transport,
    transform: fixture(transform),
    // All three at the one worker: the first holds its thread, the others wait behind it.
    threads: 1,
    concurrency: 3,
    timeout: 200,
    retry: { attempts: 1 },
  });
  t.after(async () => {
    Atomics.store(new Int32Array(gate), 0, 1);
    await within(engine.close(), 'the engine to close');
  });
  const acks = new Map<number, number>();
  engine.on('ack', (trace: MessageTrace) => acks.set(trace.offset, trace.attempts));
  const records: EngineRecord[] = [];
  await within(
    (async () => {
      for await (const record of engine.process(source())) records.push(record);
    })(),
    'the run with a stuck transform to end',
  );
  await within(engine.close(), 'close() with the stuck transform still spinning');
  records.sort((a, b) => a.offset - b.offset);
  return { records, acks, retried: engine.stats?.retried };
}

function assertTimedOut(record: EngineRecord | undefined, offset: number): void {
  assert.ok(record?.kind === 'failed', `offset ${offset} failed, got ${record?.kind}`);
  assert.equal(record.offset, offset);
  assert.equal(record.attempts, 1);
  assert.ok(record.error instanceof TransformError);
  assert.equal(record.error.errorName, 'TimeoutError');
  assert.equal(record.error.errorCode, 'ERR_TIDEMARK_TIMEOUT');
}

/** Offset 0 failed with TimeoutError; 1 and 2, which waited behind it, came out on their first try, not charged one. */
function assertOnlyTheStuckOneFailed({ records, acks, retried }: Run): void {
  const [stuck, ...rest] = records;
  assertTimedOut(stuck, 0);
  assert.deepEqual(
    rest.map((record) => [record.offset, record.kind === 'output' ? record.value : record.kind]),
    [
      [1, { n: 1, attempt: 1 }],
      [2, { n: 2, attempt: 1 }],
    ],
  );
  assert.deepEqual([acks.get(1), acks.get(2)], [1, 1], 'the bystanders were not charged a try');
  assert.equal(retried, 0);
}

forEachTransport((transport) => {
  test('a message spinning in sync code past the timeout fails alone; its worker is replaced; the run and close() end', async (t) => {
    const gate = new SharedArrayBuffer(4);
    const run = await stuckRun(t, transport, 'spin.js', gate, () => [{ value: { n: 0, gate } }, { value: { n: 1 } }, { value: { n: 2 } }]);
    assertOnlyTheStuckOneFailed(run);
  });

  test('a message spinning after an await (its sync part returned) past the timeout fails alone; its worker is replaced; the run and close() end', async (t) => {
    const gate = new SharedArrayBuffer(3 * 4);
    // Offsets 1 and 2 reach the worker once its thread is blocked: they never start there.
    async function* source(): AsyncGenerator<SourceRecord> {
      yield { value: { n: 0, gate, spin: true } };
      await until(() => Atomics.load(new Int32Array(gate), 1) === 1, 'offset 0 to spin');
      yield { value: { n: 1 } };
      yield { value: { n: 2 } };
    }
    assertOnlyTheStuckOneFailed(await stuckRun(t, transport, 'await-spin.js', gate, source));
  });

  test('tries running (started, pending) on a thread blocked after an await all fail with TimeoutError; the run and close() end', async (t) => {
    const gate = new SharedArrayBuffer(3 * 4);
    // Offset 0 spins once all three have started; 1 and 2 are pending then, their deadline timers on the blocked thread.
    const { records, acks } = await stuckRun(t, transport, 'await-spin.js', gate, () => [
      { value: { n: 0, gate, spin: true, after: 3 } },
      { value: { n: 1, gate, hold: true } },
      { value: { n: 2, gate, hold: true } },
    ]);
    assert.equal(records.length, 3);
    for (const [offset, record] of records.entries()) assertTimedOut(record, offset);
    assert.deepEqual([0, 1, 2].map((offset) => acks.get(offset)), [1, 1, 1]);
  });
});
