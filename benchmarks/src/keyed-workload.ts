// The keyed-ordering benchmark's messages: Confluent Parallel Consumer's published set-up
// (each message sleeps a random 0–5 ms, keys spread over 1, 10, 100 or 1,000), drawn from a
// seed so that every setting of a run, and every run, gets the same sleeps in the same order.
import { seededRandom } from '@tidemark/engine/workload';

/** How keys are given to messages: `round-robin` (message i gets key i mod n) or `random` (seeded, uniform). */
export type KeyAssignment = 'round-robin' | 'random';

export const keyAssignments: readonly KeyAssignment[] = ['round-robin', 'random'];

/** What a run is set to: `ordering: 'key'` over that many keys, or `'unordered'`. */
export type KeyedSetting = number | 'unordered';

/** What every run of the benchmark shares. */
export interface KeyedWorkload {
  /** Messages a run reads. */
  readonly messages: number;
  /** Each message sleeps uniformly from 0 to this many ms (real-valued, not whole ms). */
  readonly maxSleepMs: number;
  readonly assignment: KeyAssignment;
  readonly seed: number;
}

/** One message's value as the sleep worker takes it, and its key. */
export interface KeyedMessage {
  readonly ms: number;
  readonly key: string;
}

/**
 * The sleeps of `workload`, in offset order: `random() * maxSleepMs` from the
 * seed, so the same for every key count and ordering.
 */
export function sleeps(workload: KeyedWorkload): Float64Array {
  const random = seededRandom(workload.seed);
  const out = new Float64Array(workload.messages);
  for (let i = 0; i < out.length; i++) out[i] = random() * workload.maxSleepMs;
  return out;
}

/**
 * The key index (0 to `keys - 1`) of every message, in offset order: `i mod keys` for
 * round-robin; for random, a uniform draw from a stream of its own (seed + 1), so that
 * the sleeps do not depend on how keys are drawn.
 */
export function keyIndexes(workload: KeyedWorkload, keys: number): Uint32Array {
  if (!(Number.isInteger(keys) && keys >= 1)) throw new RangeError(`Expected \`keys\` to be an integer from 1 and up, got \`${keys}\` (${typeof keys})`);
  const out = new Uint32Array(workload.messages);
  if (workload.assignment === 'round-robin') {
    for (let i = 0; i < out.length; i++) out[i] = i % keys;
    return out;
  }
  const random = seededRandom(workload.seed + 1);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(random() * keys);
  return out;
}

/** The messages of `workload` with `keys` keys, in offset order; keys are `k0`, `k1`, ... */
export function keyedMessages(workload: KeyedWorkload, keys: number): KeyedMessage[] {
  const ms = sleeps(workload);
  const indexes = keyIndexes(workload, keys);
  return Array.from(ms, (m, i) => ({ ms: m, key: `k${indexes[i] as number}` }));
}

/**
 * What a run would take in seconds if each message took exactly its sleep and nothing
 * else: the total sleep over `concurrency` (no more than that many run at once) and, when
 * `keyed`, at least the busiest key's total sleep (its messages run one after another).
 * Not a strict bound: Node's timers count whole ms ticks, so a sleep can end up to about
 * 1 ms early (or late); the workers' round trips and the engine's own time come on top.
 */
export function idealSeconds(messages: readonly KeyedMessage[], concurrency: number, keyed: boolean): number {
  const perKey = new Map<string, number>();
  let total = 0;
  let busiest = 0;
  for (const m of messages) {
    const sum = (perKey.get(m.key) ?? 0) + m.ms;
    perKey.set(m.key, sum);
    if (sum > busiest) busiest = sum;
    total += m.ms;
  }
  return Math.max(total / concurrency, keyed ? busiest : 0) / 1000;
}
