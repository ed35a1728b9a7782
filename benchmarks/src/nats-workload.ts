// The messages of `pnpm bench:nats`: what each one asks the transform to do
// (nats-transform.ts), drawn from a seeded generator so every run of every
// process count gets the same work.
import { sampleLatency, seededRandom } from '@tidemark/engine/workload';

/**
 * - `trivial`: no work; the figures are the broker's and the engine's own cost.
 * - `await`: waits on a timer, lognormal (sigma 1) with a mean of 2 ms: most
 *   messages wait about 1 ms, one in a hundred more than 12 ms.
 * - `cpu`: spins the worker thread, lognormal with a mean of 0.1 ms: most
 *   spin about 60 µs, one in a hundred more than 0.6 ms.
 */
export const natsWorkloadNames = ['trivial', 'await', 'cpu'] as const;
export type NatsWorkloadName = (typeof natsWorkloadNames)[number];

/** What one message carries: its id, and the ms to wait (`ms`) and to spin (`spin`). */
export interface NatsPayload {
  readonly id: number;
  readonly ms: number;
  readonly spin: number;
}

/** Mean ms of each workload's skewed work, and which kind it is. */
const work: Record<NatsWorkloadName, { kind: 'ms' | 'spin' | 'none'; mean: number }> = {
  trivial: { kind: 'none', mean: 0 },
  await: { kind: 'ms', mean: 2 },
  cpu: { kind: 'spin', mean: 0.1 },
};

/** One line saying what `workload` asks of each message, for the report. */
export function describeWorkload(workload: NatsWorkloadName): string {
  const { kind, mean } = work[workload];
  if (kind === 'none') return `${workload}: no work`;
  return `${workload}: ${kind === 'ms' ? 'waits on a timer' : 'spins the worker thread'}, lognormal (sigma 1), mean ${mean} ms`;
}

/**
 * The payloads of ids `first` to `first + count - 1` for `workload`. Message
 * `id`'s work depends on the seed and the id alone, so the backlog and the
 * paced messages of a run carry the same work whatever the process count.
 */
export function natsPayloads(workload: NatsWorkloadName, first: number, count: number, seed: number): NatsPayload[] {
  const { kind, mean } = work[workload];
  const random = seededRandom(seed);
  for (let skip = 0; skip < first && kind !== 'none'; skip++) sampleLatency('lognormal', mean, random);
  return Array.from({ length: count }, (_, i) => {
    const ms = kind === 'none' ? 0 : round3(sampleLatency('lognormal', mean, random));
    return { id: first + i, ms: kind === 'ms' ? ms : 0, spin: kind === 'spin' ? ms : 0 };
  });
}

/** ms to the microsecond: the payload stays short. */
const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;
