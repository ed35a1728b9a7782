import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsPayload } from './nats-workload.js';

/**
 * The transform of `pnpm bench:nats`, loaded by each engine process
 * (`tidemark run --transform dist/nats-transform.js`): spins the worker
 * thread for `spin` ms, waits `ms` on a timer, and returns the id.
 */
export default async function natsTransform({ id, ms, spin }: NatsPayload): Promise<number> {
  if (spin > 0) {
    const until = performance.now() + spin;
    while (performance.now() < until); // CPU-bound on purpose
  }
  if (ms > 0) await sleep(ms);
  return id;
}
