import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exactWait, runOracle, skewWait } from '../src/workload/oracle.js';

/** A wait the test ends by hand, and what the oracle asked for. */
interface Gate {
  readonly index: number;
  readonly ms: number;
  readonly open: () => void;
}

/** Lets every pending promise continuation run (no clock involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The oracle over `latencies` with waits the test opens one at a time and a
 * clock the test sets: which messages wait, and when each took its slot.
 */
function gatedOracle(latencies: readonly number[], concurrency: number) {
  const gates: Gate[] = [];
  const clock = { now: 0 };
  let active = 0;
  let maxActive = 0;
  let calls = 0;
  const run = runOracle(latencies, concurrency, {
    now: () => clock.now,
    sleep: (ms) => {
      const index = calls++;
      active++;
      maxActive = Math.max(maxActive, active);
      return new Promise<void>((resolve) => {
        gates.push({
          index,
          ms,
          open: () => {
            active--;
            resolve();
          },
        });
      });
    },
  });
  const waiting = () => gates.map((g) => g.index);
  const open = (index: number) => {
    const at = gates.findIndex((g) => g.index === index);
    assert.ok(at >= 0, `message ${index} is waiting`);
    const [gate] = gates.splice(at, 1);
    gate?.open();
  };
  return { run, clock, waiting, open, gates, stats: () => ({ maxActive, calls }) };
}

test('the oracle starts `concurrency` messages, and a freed slot takes the next message at once', async () => {
  const oracle = gatedOracle([5, 1, 3, 2, 4], 2);
  await settle();
  assert.deepEqual(oracle.waiting(), [0, 1], 'two slots, the first two messages');
  assert.deepEqual(
    oracle.gates.map((g) => g.ms),
    [5, 1],
    'each waits its own latency',
  );

  oracle.clock.now = 1;
  oracle.open(1);
  await settle();
  assert.deepEqual(oracle.waiting(), [0, 2], 'message 2 took the slot message 1 freed');

  oracle.clock.now = 4;
  oracle.open(2);
  await settle();
  assert.deepEqual(oracle.waiting(), [0, 3]);

  oracle.clock.now = 5;
  oracle.open(0);
  await settle();
  assert.deepEqual(oracle.waiting(), [3, 4]);

  oracle.clock.now = 6;
  oracle.open(3);
  await settle();
  assert.deepEqual(oracle.waiting(), [4], 'no message left for the freed slot');

  oracle.clock.now = 9;
  oracle.open(4);
  const result = await oracle.run;

  assert.deepEqual(oracle.stats(), { maxActive: 2, calls: 5 }, 'every message waited once, never more than 2 at a time');
  assert.deepEqual([...result.startedAt], [0, 0, 1, 4, 5], 'each start is the end that freed its slot');
  assert.deepEqual([...result.endedAt], [5, 1, 4, 6, 9]);
  assert.equal(result.messages, 5);
  assert.equal(result.concurrency, 2);
  // Waits as the clock measured them: 5, 1, 3, 2, 4.
  assert.equal(result.meanMs, 3);
  assert.equal(result.seconds, 0.009);
  // Window: slots taken from 0 to 5 ms; the waits ending at 1, 4 and 5 ms fall in it.
  assert.equal(result.throughput, (3 / 5) * 1000);
});

test('the oracle with more slots than messages starts every message at once', async () => {
  const oracle = gatedOracle([2, 2, 2], 8);
  await settle();
  assert.deepEqual(oracle.waiting(), [0, 1, 2]);
  for (const index of [0, 1, 2]) oracle.open(index);
  const result = await oracle.run;
  assert.equal(result.messages, 3);
  assert.equal(oracle.stats().maxActive, 3);
});

test('the oracle on a fake clock: 6 waits of 10 ms in 2 slots', async (t) => {
  // node:test's mock timers on the callback setTimeout and Date: the waits end only when the test ticks.
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  let done = false;
  const run = runOracle([10, 10, 10, 10, 10, 10], 2, { sleep, now: () => Date.now() }).finally(() => {
    done = true;
  });
  for (let ms = 0; ms < 100 && !done; ms++) {
    await settle();
    t.mock.timers.tick(1);
  }
  const result = await run;
  // Slots taken at 0, 0, 10, 10, 20, 20; waits end at 10, 10, 20, 20, 30, 30.
  assert.deepEqual([...result.startedAt], [0, 0, 10, 10, 20, 20]);
  assert.deepEqual([...result.endedAt], [10, 10, 20, 20, 30, 30]);
  // Window 0 to 20 ms holds the four ends at 10 and 20 ms: 4 / 20 ms.
  assert.equal(result.throughput, 200);
  assert.equal(result.meanMs, 10);
  assert.equal(result.seconds, 0.03);
});

test('the oracle rejects a concurrency that is not an integer from 1 up', async () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    await assert.rejects(runOracle([1], bad), { name: 'TypeError', message: new RegExp(`got \`${String(bad)}\` \\(number\\)`) });
  }
});

test('the blocking and cpu oracle wait never ends before its time, as Atomics.wait and a busy loop never do', async () => {
  // A lower bound only: how late it ends depends on the machine and is not checked.
  assert.equal(skewWait('blocking'), exactWait);
  assert.equal(skewWait('cpu'), exactWait);
  assert.notEqual(skewWait('await'), exactWait);
  for (const ms of [0, 0.3, 1.7, 2.5, 3.2, 6.9]) {
    const start = performance.now();
    await exactWait(ms);
    const took = performance.now() - start;
    assert.ok(took >= ms, `exactWait(${ms}) ended after ${took} ms`);
  }
});

test('an aborted oracle takes no more messages: the waits under way end, and the run resolves with what started', async () => {
  // What `tidemark demo` stopped by SIGINT during its oracle needs: before,
  // every remaining message ran first (9 s for 30,000).
  const controller = new AbortController();
  const opens: (() => void)[] = [];
  const run = runOracle(Array.from({ length: 1000 }, () => 5), 4, {
    signal: controller.signal,
    sleep: () => new Promise<void>((resolve) => opens.push(resolve)),
  });
  await settle();
  assert.equal(opens.length, 4, 'four slots waiting');
  (opens.shift() as () => void)();
  await settle();
  assert.equal(opens.length, 4, 'the freed slot took the next message');
  controller.abort();
  for (const open of opens.splice(0)) open();
  const result = await run;
  assert.equal(opens.length, 0, 'no slot took another message after the abort');
  assert.equal(result.messages, 1000);
  const started = Array.from(result.startedAt).filter((at) => at > 0).length;
  assert.ok(started <= 5, `${started} messages started`);
});
