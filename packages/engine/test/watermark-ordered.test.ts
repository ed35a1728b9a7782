import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BufferFullError, Engine } from '../src/index.js';
import type { OverflowPolicy } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { assertRecordsMatchModel, assertWatermarkRule, runStepped } from './helpers/stepped-run.js';

// The watermark rule in ordered mode, with every overflow policy on every
// buffer that allows it and a source that stalls (idle advance), against
// the brute-force model of helpers/watermark-model.ts. The test chooses
// every step (which message completes, when the consumer takes a record,
// when the source goes on), so a run is the same however fast things go.

const limit = (policies: readonly OverflowPolicy[], max: number) =>
  fc.record({ messages: fc.integer({ min: 1, max }), overflow: fc.constantFrom(...policies) });

const scenario = fc.record({
  segments: fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }),
  maxOutOfOrderness: fc.integer({ min: 0, max: 10 }),
  input: limit(['block', 'drop-oldest', 'drop-newest', 'reject'], 3),
  processing: limit(['block', 'drop-newest', 'reject'], 3),
  output: limit(['block', 'drop-oldest', 'drop-newest', 'reject'], 3),
  choices: fc.array(fc.nat({ max: 99 }), { minLength: 1, maxLength: 40 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

forEachTransport((transport) => {
  let dropped = 0;
  let rejected = 0;
  let idleStalls = 0;

  test('ordered mode under drop policies and idle advance: the watermark never decreases and never passes an on-time record', async () => {
    const check = async ({ segments, maxOutOfOrderness, input, processing, output, choices }: Scenario) => {
      const engine = new Engine({
        transport,
        transform: fixture('gated.js'),
        threads: 1,
        concurrency: processing.messages,
        ordering: 'ordered',
        watermark: { maxOutOfOrderness, idleAfter: 0 },
        buffers: { input, processing, output },
      });
      try {
        const run = await runStepped({ engine, segments, choices, maxOutOfOrderness, idleAfter: 0 });
        assertWatermarkRule(run.timeline);
        assertRecordsMatchModel(run);
        const offsets = run.handovers.map(({ record }) => record.offset);
        assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), 'read order, dropped offsets skipped');
        for (const { record, watermark } of run.handovers) {
          // Every message before this one has been acked (taken or dropped):
          // the oldest in flight is this one, so the watermark is what it was read under.
          assert.equal(watermark, run.model.readUnder[record.offset], `the watermark as offset ${record.offset} was handed over`);
          if (record.kind === 'output') assert.equal(record.value, record.offset);
          else {
            assert.ok(record.error instanceof BufferFullError, record.error.message);
            rejected++;
          }
        }
        assert.equal(engine.watermark, run.model.input, 'all acked: the latest input watermark');
        dropped += engine.stats?.dropped ?? 0;
        idleStalls += run.idleStalls;
      } finally {
        await engine.close();
      }
    };
    const block = { messages: 3, overflow: 'block' } as const;
    await fc.assert(fc.asyncProperty(scenario, check), {
      numRuns: 30,
      examples: [
        // Choice 0 always completes the oldest message at a worker and lets the
        // consumer take a record only when nothing else can happen. Messages 0
        // and 1 run; 2 waits and is dropped (input, drop-oldest) when 3 comes;
        // 1 is dropped (output, drop-oldest) when 3 completes while the consumer
        // still holds 0. Both stalls come with nothing in flight: the first
        // advances the watermark to 30, so the 25 read next is late.
        [
          {
            segments: [[10, 30, 20, 25], [25, 5], [40, 35]],
            maxOutOfOrderness: 10,
            input: { messages: 1, overflow: 'drop-oldest' },
            processing: { messages: 2, overflow: 'block' },
            output: { messages: 1, overflow: 'drop-oldest' },
            choices: [0],
          },
        ],
        // Rejects at the processing and output buffers.
        [{ segments: [[3, 1, 4, 1, 5], [9, 2, 6]], maxOutOfOrderness: 2, input: block, processing: { messages: 1, overflow: 'reject' }, output: { messages: 1, overflow: 'reject' }, choices: [0, 1] }],
      ],
    });
    // The examples alone make each of these happen: the property saw them.
    assert.ok(dropped > 0, 'some runs dropped messages');
    assert.ok(rejected > 0, 'some runs rejected messages');
    assert.ok(idleStalls > 0, 'some runs advanced on idle');
  });
});
