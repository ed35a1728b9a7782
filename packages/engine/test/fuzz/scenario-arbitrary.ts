import fc from 'fast-check';
import { itemList } from './item-arbitraries.js';
import { badOptions, extremeOptions, validOptions } from './option-arbitraries.js';
import type { Json } from './special.js';
import type { ConsumerSpec, Scenario, SourceSpec, Tolerance } from './scenario.js';

const sources: fc.Arbitrary<SourceSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom({ kind: 'array' as const }, { kind: 'generator' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('async' as const), turns: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('throws' as const), at: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stalls' as const), at: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'bad-return' as const }) },
);

const consumers: fc.Arbitrary<ConsumerSpec> = fc.record({
  leave: fc.oneof(
    { weight: 5, arbitrary: fc.constant('none' as const) },
    { weight: 5, arbitrary: fc.constantFrom('break' as const, 'throw' as const, 'abandon' as const, 'abort' as const, 'close' as const) },
    { weight: 1, arbitrary: fc.constantFrom('abort-first' as const, 'close-first' as const) },
  ),
  after: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 160 })),
  chunks: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(1, 2, 3, 8, 1024) }),
  slow: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }),
});

const engineOptions: fc.Arbitrary<{ options: Json; optionClass: 'valid' | 'extreme'; tolerate: Tolerance }> = fc.oneof(
  { weight: 5, arbitrary: validOptions.map((options) => ({ options, optionClass: 'valid' as const, tolerate: {} })) },
  { weight: 1, arbitrary: extremeOptions.map(({ options, tolerate }) => ({ options, optionClass: 'extreme' as const, tolerate })) },
);

function timeoutOf(options: Json): boolean {
  const timeout = typeof options === 'object' && options !== null && !Array.isArray(options) ? options.timeout : undefined;
  return typeof timeout === 'number' && timeout > 0 && timeout < 1e6;
}

const partitionedSources: fc.Arbitrary<SourceSpec> = fc.record({
  kind: fc.constant('partitioned' as const),
  parts: fc.integer({ min: 1, max: 3 }),
  inner: fc.constantFrom('array' as const, 'async' as const),
});

/** A whole scenario: bad option sets, an engine's options, its source and consumer. */
export const scenarios: fc.Arbitrary<Scenario> = fc
  .record({ engine: engineOptions, consumer: consumers })
  .chain(({ engine, consumer }) => {
    // partitioned() passes no chunks on: not with processChunks().
    const source = consumer.chunks === null ? fc.oneof({ weight: 8, arbitrary: sources }, { weight: 2, arbitrary: partitionedSources }) : sources;
    return fc.record({ engine: fc.constant(engine), consumer: fc.constant(consumer), source });
  })
  .chain(({ engine, consumer, source }) =>
    fc.record({
      badOptions: fc.array(badOptions, { minLength: 1, maxLength: 6 }),
      options: fc.constant(engine.options),
      optionClass: fc.constant(engine.optionClass),
      tolerate: fc.constant(engine.tolerate),
      items: itemList({ timeout: timeoutOf(engine.options), chunks: consumer.chunks !== null }),
      source: fc.constant(source),
      consumer: fc.constant(consumer),
      after: fc.constantFrom('close' as const, 'again' as const),
    }),
  );
