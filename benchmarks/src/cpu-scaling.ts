import { Engine } from '@tidemark/engine';
import hash from './workers/hash.js';

const hashUrl = new URL('./workers/hash.js', import.meta.url);

/** One CPU-scaling run. */
export interface ScalingResult {
  readonly threads: number;
  readonly messages: number;
  readonly messagesPerSecond: number;
}

/** Rounds of the hash transform that take about `ms` on this machine (measured on this thread). */
export function calibrate(ms: number): number {
  let rounds = 1;
  for (;;) {
    const start = performance.now();
    hash(rounds);
    const took = performance.now() - start;
    if (took >= 20) return Math.max(1, Math.round((rounds * ms) / took));
    rounds *= 2;
  }
}

/** The hash transform through the engine (ring transport) on `threads` threads, two messages in flight per thread. */
export async function cpuScaling(threads: number, rounds: number, messages: number): Promise<ScalingResult> {
  await using engine = new Engine({ transform: hashUrl, threads, concurrency: threads * 2 });
  const source = (n: number) => Array.from({ length: n }, () => ({ value: rounds }));
  for await (const record of engine.process(source(threads * 4))) void record;
  const start = performance.now();
  let outputs = 0;
  for await (const record of engine.process(source(messages))) if (record.kind === 'output') outputs++;
  const ms = performance.now() - start;
  if (outputs !== messages) throw new Error(`cpu scaling: ${outputs} of ${messages} outputs`);
  return { threads, messages, messagesPerSecond: (messages * 1000) / ms };
}
