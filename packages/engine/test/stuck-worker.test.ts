import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { Registry } from 'prom-client';
import { Engine, TransformError } from '../src/index.js';
import type { EngineRecord, MessageTrace } from '../src/index.js';
import { grace } from '../src/transport/pool.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import type { TestTransport } from './helpers/transports.js';
import { within } from './helpers/wait.js';

// Both transports replace a worker stuck in a sync transform, or blocked in
// an async continuation, a grace past the timeout: the ring knows the
// messages from its running-slot marker and processing slots, the task
// transport from its task board's mark and running tries.
//
// stuck.js blocks its thread for good on the tries it is told to, so each
// outcome below depends on the engine's timers alone, never on speed: the
// try cannot end by itself, only the worker's replacement ends it.

test('grace(timeout) is max(50, timeout / 4)', () => {
  const rows: [timeout: number, grace: number][] = [
    [0, 50],
    [1, 50],
    [100, 50],
    [199, 50],
    [200, 50],
    [201, 50.25],
    [400, 100],
    [1000, 250],
    [60_000, 15_000],
  ];
  for (const [timeout, expected] of rows) assert.equal(grace(timeout), expected, `grace(${timeout})`);
});

// A timeout under 200 ms: the grace (50 ms) is then five times the engine's
// check interval (max(10, timeout / 4)), so the bound below tells them apart.
const timeout = 40;
/** grace(40), as the test above has it: the bound below must not come from the code it checks. */
const graceMs = 50;

async function stuckRun(t: TestContext, transport: TestTransport, values: readonly Record<string, unknown>[], attempts: number) {
  const registry = new Registry();
  const engine = new Engine({
    transport,
    transform: fixture('stuck.js'),
    threads: 1,
    // All three at the one worker at once: the first holds its thread, the others wait behind it.
    concurrency: 3,
    timeout,
    retry: { attempts, backoff: { initial: 0, max: 0 } },
    metrics: { registry },
  });
  t.after(() => within(engine.close(), 'the engine to close'));
  const acks = new Map<number, MessageTrace>();
  engine.on('ack', (trace) => acks.set(trace.offset, { ...trace }));
  const records: EngineRecord[] = [];
  // When each record is handed over (epoch ms, the clock of the traces).
  const seenAt = new Map<number, number>();
  await within(
    (async () => {
      for await (const record of engine.process(values.map((value) => ({ value })))) {
        seenAt.set(record.offset, performance.timeOrigin + performance.now());
        records.push(record);
      }
    })(),
    'the run with a stuck transform to end',
  );
  const restarts = (await registry.getSingleMetric('tidemark_worker_restarts_total')?.get())?.values[0]?.value;
  return { records: records.sort((a, b) => a.offset - b.offset), acks, seenAt, restarts };
}

forEachTransport((transport) => {
  test('a worker stuck in a sync transform is replaced; only the stuck message counts a try, the others go out again', async (t) => {
    const { records, acks, restarts } = await stuckRun(t, transport, [{ n: 0, stuckTries: 1 }, { n: 1 }, { n: 2 }], 3);
    // Offset 0 was stuck on try 1 and done on try 2, on the replacement worker.
    // Offsets 1 and 2 were at the stuck worker and never started there: they
    // ran once, on the replacement, as their first try.
    assert.deepEqual(
      records.map((record) => [record.offset, record.kind, record.kind === 'output' ? record.value : undefined]),
      [
        [0, 'output', { n: 0, attempt: 2 }],
        [1, 'output', { n: 1, attempt: 1 }],
        [2, 'output', { n: 2, attempt: 1 }],
      ],
    );
    assert.deepEqual(
      [0, 1, 2].map((offset) => acks.get(offset)?.attempts),
      [2, 1, 1],
      'tries counted per message',
    );
    assert.equal(restarts, 1, 'tidemark_worker_restarts_total');
  });

  test('a message stuck on every try fails with a TimeoutError after its tries, a worker replaced for each', async (t) => {
    const starts = new SharedArrayBuffer(2 * 8); // when each try of offset 0 started, as the transform saw it
    const { records, acks, seenAt, restarts } = await stuckRun(t, transport, [{ n: 0, stuckTries: 99, starts }, { n: 1 }, { n: 2 }], 2);
    const [stuck, ...rest] = records;
    assert.ok(stuck?.kind === 'failed', 'offset 0 is a failed record');
    assert.equal(stuck.offset, 0);
    assert.equal(stuck.attempts, 2);
    assert.ok(stuck.error instanceof TransformError);
    assert.equal(stuck.error.errorName, 'TimeoutError');
    assert.equal(stuck.error.errorCode, 'ERR_TIDEMARK_TIMEOUT');
    assert.equal(stuck.error.message, `the transform was stuck past the ${timeout} ms timeout; its worker was replaced`);
    assert.deepEqual(
      rest.map((record) => [record.offset, record.kind === 'output' ? record.value : record.kind]),
      [
        [1, { n: 1, attempt: 1 }],
        [2, { n: 2, attempt: 1 }],
      ],
    );
    assert.deepEqual([1, 2].map((offset) => acks.get(offset)?.attempts), [1, 1]);
    assert.equal(restarts, 2, 'one replacement per stuck try');
    // Bounds the design guarantees, not a timing window (a slower machine only
    // makes each later): a stuck try's worker is replaced no earlier than
    // timeout + grace after the try started, so the second try starts, and the
    // failed record is handed over, no earlier than that after each try's start.
    // (Less 1 ms: the transform notes its start a few µs after the engine does.)
    const [first, second] = new Float64Array(starts) as unknown as [number, number];
    const failedAt = seenAt.get(0) ?? Number.NaN;
    const bound = timeout + graceMs - 1;
    assert.ok(second - first >= bound, `try 2 started ${(second - first).toFixed(1)} ms after try 1, at least ${bound}`);
    assert.ok(failedAt - second >= bound, `try 2 failed ${(failedAt - second).toFixed(1)} ms after it started, at least ${bound}`);
  });

  // The thread blocked in an async continuation (after a turn of the event
  // loop), once the try's sync part has returned: no marker says which
  // message holds the thread, but the try is overdue and its deadline timer
  // could not fire. The ring knows it from its processing slots, the task
  // transport from the tries its board lists as running.
  test('a worker blocked in an async continuation is replaced too; the overdue try fails, the others go out again', async (t) => {
    const { records, acks, restarts } = await stuckRun(t, transport, [{ n: 0, stuckTries: 1, afterAwait: true }, { n: 1 }, { n: 2 }], 3);
    assert.deepEqual(
      records.map((record) => [record.offset, record.kind === 'output' ? record.value : record.kind]),
      [
        [0, { n: 0, attempt: 2 }],
        [1, { n: 1, attempt: 1 }],
        [2, { n: 2, attempt: 1 }],
      ],
    );
    assert.deepEqual([0, 1, 2].map((offset) => acks.get(offset)?.attempts), [2, 1, 1]);
    assert.equal(restarts, 1, 'tidemark_worker_restarts_total');
  });
});
