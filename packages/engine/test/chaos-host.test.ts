import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { Engine, TransformError, TransformLoadError } from '../src/index.js';
import type { EngineRecord, FailedRecord } from '../src/index.js';
import { seededRandom } from '../src/workload/index.js';
import { chaosValue } from './helpers/chaos-plan.js';
import type { ChaosValue } from './helpers/chaos-plan.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import type { TestTransport } from './helpers/transports.js';
import { within } from './helpers/wait.js';

/**
 * Chaos aimed at the host rather than at one message (the fixture is
 * fixtures/chaos-host.js): timers that throw after their transform returned
 * (a worker dies with no message to blame), outputs no thread can decode,
 * consumers that leave runs early, on one engine, and beside it engines
 * whose modules hang or spin while loading. The host lives on,
 * every run leaves the engine usable, and the last run, read to its end,
 * hands over every offset exactly once. A seeded PRNG plans it all up front;
 * nothing waits on a clock.
 */
const MESSAGES = 3_000;
const SEED = Number(process.env.TIDEMARK_CHAOS_SEED ?? 0x5eed_40c7);
const ATTEMPTS = 5;

type Fault = 'timer' | 'deep' | 'throw';
type Value = ChaosValue<Fault>;

/** Per message odds: [fault, every try, p]. */
const odds: readonly [Fault, boolean, number][] = [
  ['timer', false, 0.01],
  ['deep', false, 0.005],
  ['deep', true, 0.002],
  ['throw', false, 0.01],
];

function plan(seed: number): Value[] {
  const random = seededRandom(seed);
  return Array.from({ length: MESSAGES }, (_, n) => chaosValue(n, random, odds));
}

/** What a failed try of a message with no such fault of its own may fail with: a timer of a neighbour killed its worker. */
const timerDeath = (record: FailedRecord): boolean => record.error instanceof TransformError && /a timer of message \d+ throws/.test(record.error.message);

/** Leave a run after `after` records, as a consumer would: `break`, `throw`, or `return()` on the iterator by hand. */
async function leaveEarly(engine: Engine, values: Value[], how: 'break' | 'throw' | 'return', after: number): Promise<number[]> {
  const offsets: number[] = [];
  const records = engine.process(values.map((value) => ({ value })));
  const left = new Error('the consumer left');
  try {
    if (how === 'return') {
      for (let n = 0; n < after; n++) {
        const next = await records.next();
        if (next.done === true) break;
        offsets.push(next.value.offset);
      }
      await records.return();
    } else {
      for await (const record of records) {
        offsets.push(record.offset);
        if (offsets.length < after) continue;
        if (how === 'break') break;
        throw left;
      }
    }
  } catch (error) {
    if (error !== left) throw error;
  }
  return offsets;
}

async function runChaos(transport: TestTransport, t: { diagnostic(message: string): void }): Promise<void> {
  const values = plan(SEED);
  const registry = new Registry();
  const engine = new Engine({
    transport,
    transform: fixture('chaos-host.js'),
    threads: 2,
    concurrency: 16,
    retry: { attempts: ATTEMPTS, backoff: { initial: 0, max: 5 } },
    metrics: { registry },
  });
  try {
    // Three runs the consumer leaves early, each a different way.
    for (const [how, after] of [['break', 50], ['throw', 400], ['return', 1_200]] as const) {
      const offsets = await within(leaveEarly(engine, values, how, after), `a run left by ${how} after ${after} records`);
      assert.equal(offsets.length, after, `${how}: ${after} records before leaving`);
      assert.equal(new Set(offsets).size, offsets.length, `${how}: no offset handed over twice`);
    }

    // Then a run read to its end: every offset exactly once.
    const counts = new Int32Array(MESSAGES);
    const failed = new Map<number, FailedRecord>();
    const wrong: string[] = [];
    const whole = async (): Promise<void> => {
      for await (const record of engine.process(values.map((value) => ({ value })))) {
        const value = values[record.offset];
        if (value === undefined) {
          wrong.push(`offset ${record.offset} was never read`);
          continue;
        }
        counts[record.offset] = (counts[record.offset] as number) + 1;
        if (record.kind === 'failed') failed.set(record.offset, record);
        else check(record, value, wrong);
      }
    };
    // Beside it, engines whose modules hang or spin while loading: each
    // fails at its loadTimeout and closes, and the run beside them goes on.
    await within(Promise.all([whole(), hangingModule('load-hang.js'), hangingModule('load-spin.js')]), 'the whole run');
    const missing: number[] = [];
    let duplicates = 0;
    counts.forEach((count, offset) => {
      if (count === 0) missing.push(offset);
      duplicates += Math.max(0, count - 1);
    });
    const restarts = Number(/^tidemark_worker_restarts_total (\d+)$/m.exec(await registry.metrics())?.[1] ?? Number.NaN);
    const timers = values.filter((value) => value.fault === 'timer').length;
    t.diagnostic(`${transport}, seed ${SEED}: ${MESSAGES - failed.size} outputs, ${failed.size} failed records, ${restarts} worker restarts, ${timers} timer faults`);
    assert.equal(duplicates, 0, 'no message handed over twice');
    assert.deepEqual(missing, [], 'no message lost');
    assert.deepEqual(wrong, [], 'each output is its own message’s');

    // Failed records: the messages whose output can never be decoded, and
    // (rarely) a message whose every try died with a worker a timer killed.
    const unexplained: string[] = [];
    for (const value of values) {
      const record = failed.get(value.n);
      if (value.fault === 'deep' && value.always === true) {
        if (record === undefined) unexplained.push(`offset ${value.n}: an output nested 20,000 deep came out`);
        // Its last try may instead have died with a worker another message's timer killed.
        else if (!undecodable(record) && !timerDeath(record)) unexplained.push(`offset ${value.n}: ${record.error.name}: ${record.error.message}`);
      } else if (record !== undefined && !timerDeath(record)) {
        unexplained.push(`offset ${value.n} (${value.fault ?? 'no fault'}) failed: ${record.error.name}: ${record.error.message}`);
      }
    }
    assert.deepEqual(unexplained, [], 'every failed record is explained');
    assert.ok(restarts >= timers, `each timer that throws kills its worker: ${restarts} restarts for ${timers} timer faults`);
  } finally {
    await within(engine.close(), 'close()');
  }
}

/** An engine whose module never finishes loading: its first record throws TransformLoadError at loadTimeout, and close() ends. */
async function hangingModule(file: string): Promise<void> {
  const engine = new Engine({ transform: fixture(file), threads: 1, loadTimeout: 300 });
  try {
    await assert.rejects(async () => {
      for await (const _ of engine.process([{ value: 1 }])) assert.fail('a module that never loads gave a record');
    }, TransformLoadError);
  } finally {
    await within(engine.close(), `close() of the engine of ${file}`);
  }
}

/** An output record carries its own message, from a try its plan allows. */
function check(record: EngineRecord & { kind: 'output' }, value: Value, wrong: string[]): void {
  const output = record.value as { n: number; attempt: number };
  const firstGood = value.fault === 'deep' || value.fault === 'throw' ? 2 : 1;
  if (output.n !== value.n || output.attempt < firstGood || output.attempt > ATTEMPTS) {
    wrong.push(`offset ${value.n} (${value.fault ?? 'no fault'}): output ${JSON.stringify(output)}`);
  }
}

/** The failure of a try whose output could not be decoded. */
function undecodable(record: FailedRecord): boolean {
  return /nest|decod|stack/i.test(record.error.message);
}

forEachTransport((transport) => {
  test(`host chaos (${transport}): timers that throw, undecodable outputs and runs left early; the last run hands over every offset exactly once`, { timeout: 180_000 }, async (t) => {
    await runChaos(transport, t);
  });
});
