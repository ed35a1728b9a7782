import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BoundedOutOfOrderness } from '../src/index.js';

// BoundedOutOfOrderness against a brute-force model over random arrivals and
// idle checks on a clock that only moves forward.

type Step =
  /** A message `drift` from the largest event time so far, `elapsed` after the last step. */
  | { readonly kind: 'observe'; readonly drift: number; readonly elapsed: number }
  | { readonly kind: 'idle'; readonly elapsed: number; readonly inFlight: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('observe'),
      drift: fc.integer({ min: -30, max: 15 }),
      elapsed: fc.integer({ min: 0, max: 20 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('idle'),
      elapsed: fc.integer({ min: 0, max: 60 }),
      inFlight: fc.integer({ min: 0, max: 2 }),
    }),
  },
);

const optionsArb = fc.record({
  maxOutOfOrderness: fc.integer({ min: 0, max: 20 }),
  idleAfter: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 0, max: 50 })),
});

test('on-time messages are never below the watermark they were read under, and the watermark is monotonic', () => {
  fc.assert(
    fc.property(optionsArb, fc.array(stepArb, { maxLength: 100, size: 'max' }), (options, steps) => {
      const source = new BoundedOutOfOrderness(options);
      let now = 0;
      let maxEventTime = Number.NEGATIVE_INFINITY;
      let lastArrival = Number.NEGATIVE_INFINITY;
      let watermark = Number.NEGATIVE_INFINITY;
      let late = 0;

      for (const step of steps) {
        now += step.elapsed;
        const before = source.current();
        if (step.kind === 'observe') {
          const eventTime = (Number.isFinite(maxEventTime) ? maxEventTime : 1_000) + step.drift;
          const observation = source.observe(eventTime, now);
          assert.equal(observation.watermark, before);
          assert.equal(observation.watermark, watermark);
          assert.equal(observation.late, eventTime < watermark);
          if (!observation.late) assert.ok(eventTime >= observation.watermark);
          if (observation.late) late++;
          maxEventTime = Math.max(maxEventTime, eventTime);
          watermark = Math.max(watermark, maxEventTime - options.maxOutOfOrderness);
          lastArrival = now;
        } else {
          const expected =
            step.inFlight === 0 && now - lastArrival >= options.idleAfter && maxEventTime > watermark;
          assert.equal(source.idle(now, step.inFlight), expected);
          if (expected) watermark = maxEventTime;
        }
        const after = source.current();
        assert.equal(after, watermark);
        assert.ok(after >= before, `watermark went back from ${before} to ${after}`);
        assert.ok(after <= maxEventTime || maxEventTime === Number.NEGATIVE_INFINITY);
        assert.equal(source.lateCount, late);
      }
    }),
    { numRuns: 5_000 },
  );
});
