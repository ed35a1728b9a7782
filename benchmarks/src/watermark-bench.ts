import { seededRandom } from '@tidemark/engine/workload';
import { WatermarkTracker } from '@tidemark/watermark';
import { Bench } from 'tinybench';

/** One row of the watermark micro-benchmark. */
export interface WatermarkBenchResult {
  name: string;
  opsPerSecond: number;
}

// Operations per timed call: one call per operation would mostly time the
// timer itself (an insert+complete is around 100 ns).
const BATCH = 1_000;
const SEED = 42;

// Results are summed here so the JIT cannot drop the calls that produce them.
let sink = 0;

/**
 * Micro-benchmark of the in-flight tracker behind the output watermark:
 * insert+complete in arrival order and in random order, current(), and a
 * baseline of the Map bookkeeping alone (the floor under the tracker's cost).
 * Every scenario keeps a constant number of messages in flight.
 */
export async function runWatermarkBench(): Promise<WatermarkBenchResult[]> {
  const bench = new Bench({ name: 'watermark', time: 1_000, warmupTime: 250, throws: true });
  bench
    .add('insert+complete, in order, 1,000 in flight', inOrder(1_000, false))
    .add('insert+complete, in order, 100,000 in flight', inOrder(100_000, false))
    .add('insert+complete, random order, 1,000 in flight', randomOrder(1_000))
    .add('insert+complete+current(), in order, 1,000 in flight', inOrder(1_000, true))
    .add('current(), 1,000 in flight', currentOnly(1_000))
    .add('baseline: Map set+delete only, in order, 1,000 in flight', mapBaseline(1_000));
  await bench.run();
  if (sink === Number.MIN_SAFE_INTEGER) console.log(sink);
  return bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`watermark bench: task ${task.name} ended ${result.state}`);
    return { name: task.name, opsPerSecond: (BATCH * 1_000) / result.period };
  });
}

/** The oldest message completes as a new one arrives, `inFlight` apart. */
function inOrder(inFlight: number, withCurrent: boolean): () => void {
  const tracker = new WatermarkTracker();
  let next = 0;
  for (; next < inFlight; next++) tracker.insert(next, next);
  return withCurrent
    ? () => {
        for (let i = 0; i < BATCH; i++, next++) {
          tracker.insert(next, next);
          tracker.complete(next - inFlight);
          sink += tracker.current();
        }
      }
    : () => {
        for (let i = 0; i < BATCH; i++, next++) {
          tracker.insert(next, next);
          if (!tracker.complete(next - inFlight)) sink++;
        }
      };
}

/** A random in-flight message completes and a new one takes its slot. */
function randomOrder(inFlight: number): () => void {
  const tracker = new WatermarkTracker();
  const slots = new Float64Array(inFlight);
  let next = 0;
  for (; next < inFlight; next++) {
    tracker.insert(next, next);
    slots[next] = next;
  }
  // Picks are drawn up front so the PRNG is not in the timed loop.
  const random = seededRandom(SEED);
  const picks = new Uint32Array(1 << 16);
  for (let i = 0; i < picks.length; i++) picks[i] = Math.floor(random() * inFlight);
  const mask = picks.length - 1;
  let cursor = 0;
  return () => {
    for (let i = 0; i < BATCH; i++, next++) {
      const slot = picks[cursor]!;
      cursor = (cursor + 1) & mask;
      if (!tracker.complete(slots[slot]!)) sink++;
      tracker.insert(next, next);
      slots[slot] = next;
    }
  };
}

/** current() alone on a steady tracker: a peek once stale entries are gone. */
function currentOnly(inFlight: number): () => void {
  const tracker = new WatermarkTracker();
  for (let offset = 0; offset < inFlight; offset++) tracker.insert(offset, offset);
  return () => {
    for (let i = 0; i < BATCH; i++) sink += tracker.current();
  };
}

/** The Map bookkeeping of insert+complete without the heap. */
function mapBaseline(inFlight: number): () => void {
  const live = new Map<number, { offset: number; watermark: number }>();
  let next = 0;
  for (; next < inFlight; next++) live.set(next, { offset: next, watermark: next });
  return () => {
    for (let i = 0; i < BATCH; i++, next++) {
      live.set(next, { offset: next, watermark: next });
      if (!live.delete(next - inFlight)) sink++;
    }
  };
}
