import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import fc from 'fast-check';
import { Engine } from '../src/index.js';
import type { EngineRecord } from '../src/index.js';
import { Gates, fixture, gatedEngine } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { assertRecordsMatchModel, assertWatermarkRule, runStepped } from './helpers/stepped-run.js';
import { until, within } from './helpers/wait.js';

// Idle advance (`watermark.idleAfter`, 0 here: as soon as the reader waits
// on the source): when the source gives nothing and nothing is in flight,
// the watermark rises to the largest event time seen, which with
// out-of-order data is not the last one. While a message is in flight it
// does not move: a message read after such a stall is judged late or on
// time by the bound alone.

forEachTransport((transport) => {
  test('idle advance waits for the messages in flight, then rises to the largest event time seen', async (t) => {
    const gates = new Gates(4);
    const engine = gatedEngine(t, transport, gates, {
      threads: 1,
      concurrency: 4,
      watermark: { maxOutOfOrderness: 500, idleAfter: 0 },
    });
    // The engine's idle timer does not hold the process open (a real source's
    // I/O would); the bounded waits below do.
    const watermarks: number[] = [];
    engine.on('watermark', (value) => watermarks.push(value));
    let stalls = 0;
    let resume: () => void = () => {};
    async function* source() {
      yield { ...gates.message(0), eventTime: 1000 };
      yield { ...gates.message(1), eventTime: 1300 };
      yield { ...gates.message(2), eventTime: 1100 }; // out of order, within the bound
      await new Promise<void>((resolve) => {
        resume = resolve;
        stalls = 1;
      });
      yield { ...gates.message(3), eventTime: 1250 }; // out of order, within the bound
      await new Promise<void>((resolve) => {
        resume = resolve;
        stalls = 2;
      });
    }
    const records = engine.process(source());
    const take = async (what: string): Promise<EngineRecord> => {
      const next = await within(records.next(), what);
      assert.equal(next.done, false);
      return next.value;
    };
    const first = take('record 0');
    await gates.started(3);
    gates.open(0);
    assert.equal((await first).offset, 0);
    gates.open(2);
    assert.equal((await take('record 2')).offset, 2);
    const third = take('record 3'); // acks message 2; message 1 (1300) is still in flight
    await until(() => stalls === 1, 'the source to stall after 3 messages');
    // The engine armed its idle timer when its reader began to wait on the
    // source; this one, with the same delay, is armed after it and fires after it.
    await delay(0);
    assert.equal(engine.watermark, 500, 'held by message 1, read under 1000 - 500');
    assert.deepEqual(watermarks, [500]);

    resume();
    await gates.started(4);
    gates.open(3);
    const three = await third;
    assert.equal(three.offset, 3);
    // Read under 1300 - 500 = 800, not under an idle advance to 1300.
    assert.equal(three.late, undefined, 'message 3 (1250) is on time');
    const fourth = take('record 1'); // acks message 3
    await until(() => stalls === 2, 'the source to stall after 4 messages');
    gates.open(1);
    assert.equal((await fourth).offset, 1);
    const end = records.next(); // acks message 1: nothing in flight, and the source gives nothing
    await until(() => watermarks.length === 3, 'the watermark after the last ack and the idle advance', () => watermarks);
    assert.deepEqual(watermarks, [500, 800, 1300], 'the largest event time, not the last one (1250)');
    resume();
    assert.equal((await within(end, 'the end')).done, true);
    assert.equal(engine.stats?.late, 0);
  });

  test('idle advance against the model: any out-of-order data, stalls with and without messages in flight', async () => {
    const scenario = fc.record({
      segments: fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 5 }), { minLength: 2, maxLength: 5 }),
      maxOutOfOrderness: fc.integer({ min: 0, max: 15 }),
      concurrency: fc.integer({ min: 1, max: 4 }),
      ordering: fc.constantFrom('unordered' as const, 'ordered' as const),
      choices: fc.array(fc.nat({ max: 99 }), { minLength: 1, maxLength: 40 }),
    });
    let stallsInFlight = 0;
    let idleStalls = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ segments, maxOutOfOrderness, concurrency, ordering, choices }) => {
        const engine = new Engine({
          transport,
          transform: fixture('gated.js'),
          threads: 1,
          concurrency,
          ordering,
          watermark: { maxOutOfOrderness, idleAfter: 0 },
        });
        try {
          // The driver checks the output watermark against the model after every step.
          const run = await runStepped({ engine, segments, choices, maxOutOfOrderness, idleAfter: 0 });
          assertWatermarkRule(run.timeline);
          assertRecordsMatchModel(run);
          assert.equal(engine.stats?.late, run.eventTimes.filter((eventTime, i) => run.model.late(i, eventTime)).length);
          stallsInFlight += segments.length - 1 - run.idleStalls;
          idleStalls += run.idleStalls;
        } finally {
          await engine.close();
        }
      }),
      {
        numRuns: 30,
        examples: [
          // Choice 0 completes the oldest message first and goes on with the
          // source only when nothing else can happen: each stall idles.
          [{ segments: [[10, 30, 20], [25, 28], [5]], maxOutOfOrderness: 10, concurrency: 2, ordering: 'unordered', choices: [0] }],
          // Choice 2 of [open, open, resume]: the source goes on with messages in flight.
          [{ segments: [[10, 30, 20], [25, 28], [5]], maxOutOfOrderness: 10, concurrency: 2, ordering: 'unordered', choices: [2, 0] }],
        ],
      },
    );
    assert.ok(idleStalls > 0, 'some stalls advanced on idle');
    assert.ok(stallsInFlight > 0, 'some stalls came with messages in flight');
  });
});
