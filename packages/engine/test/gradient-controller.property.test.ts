import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { adaptiveSettings } from '../src/concurrency/adaptive-options.js';
import { GradientController } from '../src/concurrency/gradient-controller.js';
import type { ConcurrencyChange, WindowSignals } from '../src/concurrency/gradient-controller.js';

// The controller over any trace of windows and probes: whatever latencies,
// throughputs and signals come (zero, huge, NaN, Infinity), the target is
// an integer within [min, max], a probe holds it at `min`, and every change
// it reports is the move it made.

const anyNumber = fc.oneof(
  fc.double({ min: 0, max: 1e9, noNaN: true }),
  fc.constantFrom(0, 1e-12, Number.NaN, Number.POSITIVE_INFINITY, -1),
);

const settingsArb = fc
  .record({
    min: fc.integer({ min: 1, max: 64 }),
    span: fc.integer({ min: 0, max: 2000 }),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    tolerance: fc.double({ min: 0, max: 10, noNaN: true }),
    smoothing: fc.double({ min: 0, max: 1, noNaN: true }),
    utilizationLimit: fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }),
    memoryLimit: fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }),
    probeInterval: fc.integer({ min: 1, max: 100_000 }),
  })
  .map(({ min, span, at, ...rest }) => adaptiveSettings({ min, max: min + span, initial: min + Math.floor(span * at), ...rest }, 1));

type Step =
  | { kind: 'window'; signals: Omit<WindowSignals, 'at'> }
  | { kind: 'probe' }
  | { kind: 'probed'; latency: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      latency: anyNumber,
      throughput: anyNumber,
      running: anyNumber,
      utilization: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      memory: fc.double({ min: 0, max: 1.5, noNaN: true }),
      bytes: fc.double({ min: 0, max: 1.5, noNaN: true }),
    }).map((signals) => ({ kind: 'window' as const, signals })),
    weight: 8,
  },
  { arbitrary: fc.constant({ kind: 'probe' as const }), weight: 1 },
  { arbitrary: anyNumber.map((latency) => ({ kind: 'probed' as const, latency })), weight: 1 },
);

test('the target never leaves [min, max] over any trace, and a probe holds it at min', () => {
  fc.assert(
    fc.property(settingsArb, fc.array(stepArb, { maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (settings, steps, jitter) => {
      const controller = new GradientController(settings, () => jitter);
      let at = 0;
      for (const step of steps) {
        at += 100;
        const before = controller.target;
        let change: ConcurrencyChange | undefined;
        if (step.kind === 'window') change = controller.window({ ...step.signals, at });
        else if (step.kind === 'probe') change = controller.probe(at);
        else change = controller.probed(step.latency, at);
        const target = controller.target;
        assert.ok(Number.isInteger(target), `target ${target} is an integer`);
        assert.ok(target >= settings.min && target <= settings.max, `target ${target} within [${settings.min}, ${settings.max}]`);
        if (controller.probing) assert.equal(target, settings.min, 'a probe holds the target at min');
        if (change === undefined) assert.equal(target, before, 'no change reported, none made');
        else {
          assert.equal(change.from, before);
          assert.equal(change.to, target);
          assert.notEqual(change.from, change.to);
        }
        const noLoad = controller.noLoadLatency;
        if (noLoad !== undefined) assert.ok(Number.isFinite(noLoad) && noLoad > 0, `no-load latency ${noLoad} is a positive number`);
      }
    }),
    { numRuns: 500 },
  );
});
