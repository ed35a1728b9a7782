import { sampleLatency } from '../../../workload/distributions.js';
import { seededRandom } from '../../../workload/random.js';

/** The value of each message the page sends. */
export interface SkewedValue {
  /** From 0, in order. */
  readonly id: number;
  /** A latency for the transform to wait, in ms (0.1 ms steps). */
  readonly ms: number;
}

/**
 * The page's source: `count` messages `{ value: { id, ms } }`, generated
 * as the engine pulls them. `ms` is lognormal (sigma 1) with mean `meanMs`,
 * as `tidemark bench`'s lognormal workload draws it, from a PRNG seeded
 * with `seed`: the same seed gives the same latencies. No `eventTime`: the
 * engine stamps each message when it reads it, so the watermark lag is how
 * long the oldest unfinished message has been in the engine, not how far
 * ahead of the engine the feed generated it.
 */
export function* skewedValues(count: number, meanMs: number, seed: number): Generator<{ value: SkewedValue }> {
  const random = seededRandom(seed);
  for (let id = 0; id < count; id++) {
    const ms = meanMs === 0 ? 0 : Math.round(sampleLatency('lognormal', meanMs, random) * 10) / 10;
    yield { value: { id, ms } };
  }
}
