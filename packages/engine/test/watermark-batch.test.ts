import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Engine } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { assertRecordsMatchModel, assertWatermarkRule, runStepped } from './helpers/stepped-run.js';

// The watermark rule in batch mode with a source that stalls (the partial
// batch is sealed on idle, and the watermark advances on idle once nothing
// is in flight), against the brute-force model of helpers/watermark-model.ts.
// The test chooses every step, so a run is the same however fast things go.

const scenario = fc.record({
  segments: fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
  maxOutOfOrderness: fc.integer({ min: 0, max: 10 }),
  batchSize: fc.integer({ min: 1, max: 4 }),
  concurrency: fc.integer({ min: 1, max: 4 }),
  choices: fc.array(fc.nat({ max: 99 }), { minLength: 1, maxLength: 40 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/**
 * One past the last offset of each message's batch: a segment is cut into
 * batches of `batchSize`, and the rest is sealed when the source stalls
 * (or ends) after it.
 */
function batchEnds(segments: readonly (readonly number[])[], batchSize: number): number[] {
  const ends: number[] = [];
  let start = 0;
  for (const segment of segments) {
    for (let i = 0; i < segment.length; i++) ends.push(start + Math.min(segment.length, (Math.floor(i / batchSize) + 1) * batchSize));
    start += segment.length;
  }
  return ends;
}

forEachTransport((transport) => {
  let idleStalls = 0;

  test('batch mode with a stalling source: the watermark never decreases and never passes an on-time record', async () => {
    const check = async ({ segments, maxOutOfOrderness, batchSize, concurrency, choices }: Scenario) => {
      const engine = new Engine({
        transport,
        transform: fixture('gated.js'),
        threads: 1,
        concurrency,
        mode: 'batch',
        batchSize,
        watermark: { maxOutOfOrderness, idleAfter: 0 },
      });
      try {
        const run = await runStepped({ engine, segments, choices, maxOutOfOrderness, idleAfter: 0 });
        assertWatermarkRule(run.timeline);
        assertRecordsMatchModel(run);
        assert.deepEqual(
          run.handovers.map(({ record }) => record.offset),
          run.eventTimes.map((_, offset) => offset),
          'every message, in read order',
        );
        const ends = batchEnds(segments, batchSize);
        for (const { record, watermark, read, stages } of run.handovers) {
          assert.equal(record.kind === 'output' && record.value, record.offset);
          // The batch leaves whole: all of it settled, nothing of the next read.
          assert.equal(read, ends[record.offset], `messages read when offset ${record.offset} was handed over`);
          assert.ok(stages.every((stage) => stage === 'completed' || stage === 'emitted'), `stages then: ${stages.join()}`);
          // Every message before this one has been acked: the oldest in flight
          // is this one, so the watermark is what it was read under.
          assert.equal(watermark, run.model.readUnder[record.offset], `the watermark as offset ${record.offset} was handed over`);
        }
        assert.equal(engine.watermark, run.model.input, 'all acked: the latest input watermark');
        idleStalls += run.idleStalls;
      } finally {
        await engine.close();
      }
    };
    await fc.assert(fc.asyncProperty(scenario, check), {
      numRuns: 30,
      examples: [
        // Batches of 3: [0 1 2] [3] (sealed on idle) [4 5 6] [7 8] (sealed on
        // idle) [9] (sealed at the end). Each stall comes with nothing in flight
        // (choice 0 lets the consumer go on only when nothing else can happen):
        // the first raises the watermark from 15 to 20, so the 18 after it is late.
        [{ segments: [[5, 20, 10, 12], [18, 30, 25, 26, 31], [29]], maxOutOfOrderness: 5, batchSize: 3, concurrency: 2, choices: [0] }],
      ],
    });
    assert.ok(idleStalls > 0, 'some runs advanced on idle');
  });
});
