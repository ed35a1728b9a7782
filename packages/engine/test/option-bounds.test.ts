import assert from 'node:assert/strict';
import { availableParallelism, totalmem } from 'node:os';
import { test } from 'node:test';
import { Engine, InvalidOptionError } from '../src/index.js';
import type { EngineOptions } from '../src/index.js';
import { resolveOptions } from '../src/options/resolve-options.js';
import { Gates, fixture, gatedEngine } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { recordsOf } from './helpers/wait.js';

// Each option has a bound past which it cannot do what it says (a Node timer
// holds 2^31 - 1 ms) or holds more than a machine can give before a single
// message is read. Past it: InvalidOptionError naming the bound and why. At
// it: an engine that starts and processes messages.

const transform = fixture('echo.js');
const maxTimerMs = 2 ** 31 - 1;

/** Rejected with InvalidOptionError on `option`, its message matching each of `says`. */
function rejects(options: unknown, option: string, ...says: RegExp[]): void {
  assert.throws(
    () => resolveOptions(options),
    (error: unknown) => {
      assert.ok(error instanceof InvalidOptionError, String(error));
      assert.equal(error.option, option);
      for (const said of says) assert.match(error.message, said);
      return true;
    },
    `${option}: ${JSON.stringify(options)}`,
  );
}

const timers: readonly { option: string; at: (ms: number) => EngineOptions }[] = [
  { option: 'timeout', at: (ms) => ({ transform, timeout: ms }) },
  { option: 'loadTimeout', at: (ms) => ({ transform, loadTimeout: ms }) },
  { option: 'watermark.idleAfter', at: (ms) => ({ transform, watermark: { idleAfter: ms } }) },
  { option: 'retry.backoff.initial', at: (ms) => ({ transform, retry: { backoff: { initial: ms, max: ms } } }) },
  { option: 'retry.backoff.max', at: (ms) => ({ transform, retry: { backoff: { max: ms } } }) },
];

test('every time a Node timer waits is at most 2^31 - 1 ms: past it the timer would fire after 1 ms', () => {
  for (const { option, at } of timers) {
    // What the user did: `timeout: 3000000000` was accepted, and every try timed out at once.
    rejects(at(3_000_000_000), option, /from \d to 2147483647/, /the longest a Node timer waits/);
    rejects(at(maxTimerMs + 1), option, /2147483647/);
    assert.doesNotThrow(() => resolveOptions(at(maxTimerMs)), option);
  }
});

test('maxOutOfOrderness is a span of event time, not a timer: any one is allowed, Infinity leaving the watermark to the source', () => {
  assert.equal(resolveOptions({ transform, watermark: { maxOutOfOrderness: 1e12 } }).watermark.maxOutOfOrderness, 1e12);
  assert.equal(resolveOptions({ transform, watermark: { maxOutOfOrderness: Number.POSITIVE_INFINITY } }).watermark.maxOutOfOrderness, Number.POSITIVE_INFINITY);
  rejects({ transform, watermark: { maxOutOfOrderness: Number.NaN } }, 'watermark.maxOutOfOrderness', /from 0 and up/);
});

test('threads at most 256, saying what a thread costs; the default is the cores, at most 256', () => {
  rejects({ transform, threads: 1000 }, 'threads', /from 1 to 256/, /V8 isolate/);
  rejects({ transform, threads: 257 }, 'threads', /from 1 to 256/);
  assert.equal(resolveOptions({ transform, threads: 256 }).threads, 256);
  assert.equal(resolveOptions({ transform }).threads, Math.min(availableParallelism(), 256));
});

test('concurrency (and buffers.processing.messages, the same limit) at most 1000000, saying what a message in flight holds', () => {
  for (const concurrency of [1e9, 1e8, 1_000_001]) {
    rejects({ transform, concurrency }, 'concurrency', /from 1 to 1000000/, /in flight holds a slot/);
    rejects({ transform, buffers: { processing: { messages: concurrency } } }, 'buffers.processing.messages', /from 1 to 1000000/);
  }
  // At the bound, with any number of threads, the default tasksPerThread fits the slots.
  for (const threads of [1, 2, 3, 7, 100, 255, 256]) {
    const resolved = resolveOptions({ transform, threads, concurrency: 1_000_000 });
    assert.ok(resolved.threads * resolved.tasksPerThread <= 2 ** 20, `${threads} threads`);
  }
});

test('tasksPerThread: the workers\' slots (threads * tasksPerThread) at most 2^20, each allocated when the engine starts', () => {
  rejects({ transform, tasksPerThread: 1e9 }, 'tasksPerThread', /from 1 to 1048576/, /64-byte row of a SharedArrayBuffer/);
  rejects({ transform, threads: 1, tasksPerThread: 2 ** 20 + 1 }, 'tasksPerThread', /from 1 to 1048576/);
  rejects({ transform, threads: 4, tasksPerThread: 2 ** 18 + 1 }, 'tasksPerThread', /at most 262144 with 4 threads/);
  assert.equal(resolveOptions({ transform, threads: 4, tasksPerThread: 2 ** 18 }).tasksPerThread, 2 ** 18);
  assert.equal(resolveOptions({ transform, threads: 1, tasksPerThread: 2 ** 20 }).tasksPerThread, 2 ** 20);
});

test('ringBytes: the rings (two per worker) may take at most half the machine\'s memory; the task transport has none', () => {
  const threads = 256;
  const most = 2 ** Math.floor(Math.log2(totalmem() / 2 / (2 * threads)));
  if (most < 2 ** 30) {
    rejects({ transform, threads, ringBytes: most * 2 }, 'ringBytes', new RegExp(`at most ${most} with ${threads} threads`), /half of this machine/);
    assert.equal(resolveOptions({ transform, threads, ringBytes: most * 2, transport: 'task' }).ringBytes, most * 2);
  }
  assert.equal(resolveOptions({ transform, threads, ringBytes: Math.min(most, 2 ** 30) }).ringBytes, Math.min(most, 2 ** 30));
});

test('resourceLimits: a stack a worker can start with, and a code range V8 can reserve', () => {
  rejects({ transform, resourceLimits: { stackSizeMb: 0.1 } }, 'resourceLimits.stackSizeMb', /from 1 to 1024/);
  rejects({ transform, resourceLimits: { stackSizeMb: 100_000 } }, 'resourceLimits.stackSizeMb', /from 1 to 1024/);
  rejects({ transform, resourceLimits: { codeRangeSizeMb: 1e8 } }, 'resourceLimits.codeRangeSizeMb', /at most 2048/, /aborts the process/);
  assert.deepEqual(resolveOptions({ transform, resourceLimits: { stackSizeMb: 1024, codeRangeSizeMb: 2048 } }).resourceLimits, {
    stackSizeMb: 1024,
    codeRangeSizeMb: 2048,
  });
});


forEachTransport((transport) => {
  test('at the timer bound, an async try waits for its transform: no timeout, no backoff or idle timer firing at once', async (t) => {
    const gates = new Gates(3);
    const engine = gatedEngine(t, transport, gates, {
      threads: 1,
      ordering: 'ordered',
      timeout: maxTimerMs,
      loadTimeout: maxTimerMs,
      watermark: { idleAfter: maxTimerMs },
      retry: { attempts: 2, backoff: { initial: 0, max: maxTimerMs } },
    });
    // Message 1 fails its first try: its retry goes through the backoff (0 ms here, with max at the bound).
    const run = recordsOf(engine, [gates.message(0), gates.message(1, { failUntil: 1 }), gates.message(2)]);
    await gates.started(3);
    for (let i = 0; i < 3; i++) gates.open(i);
    const records = await run;
    assert.deepEqual(
      records.map((record) => [record.kind, record.kind === 'output' ? record.value : record.error.message]),
      [
        ['output', 0],
        ['output', 1],
        ['output', 2],
      ],
    );
  });

  test('an engine at the in-flight bounds starts and processes messages (nothing allocated per slot explodes)', async (t) => {
    const values = Array.from({ length: 50 }, (_, i) => ({ value: i }));
    for (const options of [
      { threads: 1, concurrency: 1_000_000 },
      { threads: 1, tasksPerThread: 2 ** 20 },
      { threads: 2, concurrency: 1_000_000, lookahead: true },
      { threads: 1, buffers: { input: { messages: 1e12 }, output: { messages: 1e12 } } },
    ] satisfies Partial<EngineOptions>[]) {
      const engine = new Engine({ transport, transform, ...options });
      t.after(() => engine.close());
      const records = await recordsOf(engine, values);
      assert.equal(records.filter((record) => record.kind === 'output').length, values.length, JSON.stringify(options));
      await engine.close();
    }
  });
});
