import { setTimeout } from 'node:timers/promises';
import type { Consumer } from '@nats-io/jetstream';
import { BrokerError } from '../errors.js';

/** How often the consumer is looked at, ms. */
const every = 200;

/**
 * Resolves once the durable consumer has nothing left for anyone: no
 * message pending delivery, none delivered (to any process sharing it) and
 * not yet acked, and this process holds none (`held()`). Resolves at once
 * when `signal` aborts; rejects with a `BrokerError` when the consumer
 * cannot be looked at.
 */
export async function whenDrained(consumer: Consumer, held: () => number, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    let info;
    try {
      info = await consumer.info();
    } catch (error) {
      if (signal.aborted) return;
      throw new BrokerError(`cannot look at the consumer: ${(error as Error).message}`, { cause: error });
    }
    if (info.num_pending === 0 && info.num_ack_pending === 0 && held() === 0) return;
    await setTimeout(every, undefined, { signal }).catch(() => {}); // aborted: the loop ends
  }
}
