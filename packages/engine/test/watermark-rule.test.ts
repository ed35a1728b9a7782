import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Engine } from '../src/index.js';
import { Gates, fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';

type Event = { kind: 'watermark'; value: number } | { kind: 'record'; eventTime: number; late: boolean };

forEachTransport((transport) => {
  test('no output handed over after a watermark W has an event time below W unless it is late', async (t) => {
    const engine = new Engine({
      transport,
      transform: fixture('gated.js'),
      threads: 2,
      concurrency: 12,
      watermark: { maxOutOfOrderness: 5, idleAfter: 60_000 },
    });
    t.after(() => engine.close());
    let timeline: Event[] = [];
    engine.on('watermark', (value) => timeline.push({ kind: 'watermark', value }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 12 }).chain((times) =>
          fc.tuple(
            fc.constant(times),
            fc.shuffledSubarray([...times.keys()], { minLength: times.length, maxLength: times.length }),
          ),
        ),
        async ([eventTimes, order]) => {
          timeline = [];
          const gates = new Gates(eventTimes.length);
          const records = engine.process(eventTimes.map((eventTime, i) => ({ ...gates.message(i), eventTime })));
          for (const index of order) {
            gates.open(index);
            const next = await records.next();
            assert.equal(next.done, false);
            const record = next.value;
            timeline.push({ kind: 'record', eventTime: record.eventTime, late: record.late === true });
          }
          assert.equal((await records.next()).done, true);

          let watermark = Number.NEGATIVE_INFINITY;
          for (const event of timeline) {
            if (event.kind === 'watermark') {
              assert.ok(event.value > watermark, 'the watermark only rises');
              watermark = event.value;
            } else if (!event.late) {
              assert.ok(event.eventTime >= watermark, `an on-time record at ${event.eventTime} after watermark ${watermark}`);
            }
          }
          // Once all is acked, the watermark is the input watermark: max event time - bound.
          assert.equal(engine.watermark, Math.max(...eventTimes) - 5);
        },
      ),
      { numRuns: 40 },
    );
  });

  test('a message below the input watermark is flagged late, counted and still processed', async (t) => {
    const engine = new Engine({ transport, transform: fixture('echo.js'), threads: 1, concurrency: 1, watermark: { maxOutOfOrderness: 10 } });
    t.after(() => engine.close());
    const source = [100, 95, 89, 120, 111, 109].map((eventTime, i) => ({ value: i, eventTime }));
    const late: number[] = [];
    for await (const record of engine.process(source)) {
      assert.equal(record.kind, 'output');
      if (record.late === true) late.push(record.eventTime);
    }
    assert.deepEqual(late.sort(), [109, 89]);
    assert.equal(engine.stats?.late, 2);
    assert.equal(engine.stats?.emitted, 6);
  });
});
