/**
 * The built-in latency-skew transform behind `tidemark demo` and the skew
 * benchmarks. Each message says how long to take and how:
 *
 * - `await`: an async wait on a timer; many such messages share one worker.
 * - `blocking`: the thread sleeps in `Atomics.wait`; one message per worker.
 * - `cpu`: the thread burns CPU until the time is up.
 *
 * It returns the milliseconds it really took, measured from its own start to
 * its own end, so that timer overshoot is charged to the workload and not to
 * the engine when the two are compared.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** The value of one skew message. */
export interface SkewMessage {
  readonly ms: number;
  readonly family: 'await' | 'blocking' | 'cpu';
}

const gate = new Int32Array(new SharedArrayBuffer(4));

export default function skew(message: SkewMessage): number | Promise<number> {
  const start = performance.now();
  switch (message.family) {
    case 'await':
      return sleep(message.ms).then(() => performance.now() - start);
    case 'blocking':
      Atomics.wait(gate, 0, 0, message.ms);
      return performance.now() - start;
    case 'cpu':
      return burn(start, message.ms);
    default:
      throw new TypeError(`unknown skew family ${String((message as { family?: unknown }).family)}`);
  }
}

function burn(start: number, ms: number): number {
  let x = 0x9e3779b9;
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 1000; i++) x = Math.imul(x ^ (x >>> 15), 0x85ebca6b);
    elapsed = performance.now() - start;
  }
  return x === 0.5 ? -1 : elapsed; // keep x alive so the loop is not optimised away
}
