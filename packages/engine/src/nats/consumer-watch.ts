import { setTimeout as pause } from 'node:timers/promises';
import type { Consumer, ConsumerMessages } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { BrokerError } from '../errors.js';

/** How often the consumer is looked at while someone needs it, ms. */
const every = 200;

/** What a {@link watchConsumer} reports to. */
export interface ConsumerWatchHooks {
  /** With `stopWhenDrained`: how many messages this process holds; `drained` is called once nothing is left anywhere. */
  readonly drained?: { readonly held: () => number; readonly then: () => void };
  /** Whether the consumer's state is wanted now (messages were handed back, a peer is held for); `consumer` hears it. */
  readonly wantsState: () => boolean;
  /** The consumer's ack floor and delivered stream sequence, from a look asked at `askedAt` (performance.now()). */
  readonly consumer: (ackFloor: number, delivered: number, askedAt: number) => void;
  /** The consumer or its stream went away, or the connection closed for good. */
  readonly failed: (error: BrokerError) => void;
}

/**
 * Watches what a JetStream run reads from until `signal` aborts: the
 * consumer's state (for `stopWhenDrained`, and the ack floor that lets go
 * of messages handed back and of peers held for), the consume()
 * notifications (the consumer or its stream deleted), and the connection
 * (closed for good once its reconnects are spent). A look that fails while
 * the connection is reconnecting is tried again; one that fails once it is
 * closed is left to the connection's own failure.
 */
export function watchConsumer(nc: NatsConnection, consumer: Consumer, messages: ConsumerMessages, hooks: ConsumerWatchHooks, signal: AbortSignal): void {
  void nc.closed().then((error) => {
    if (signal.aborted) return;
    const why = error === undefined ? 'it was closed' : error.message;
    hooks.failed(new BrokerError(`lost the connection to the NATS server (${why}); what was not acked is redelivered after AckWait`, { cause: error }));
  });
  void (async () => {
    for await (const status of messages.status()) {
      if (signal.aborted) return;
      if (status.type === 'consumer_deleted' || status.type === 'consumer_not_found' || status.type === 'stream_not_found') {
        hooks.failed(new BrokerError(`the consumer went away (${status.type.replaceAll('_', ' ')})`));
        return;
      }
    }
  })().catch(() => {}); // the notifications end with the messages
  void (async () => {
    while (!signal.aborted) {
      if (hooks.drained !== undefined || hooks.wantsState()) {
        const askedAt = performance.now();
        const info = await consumer.info().catch(() => undefined); // reconnecting: look again; closed: nc.closed() says so
        if (info !== undefined && !signal.aborted) {
          hooks.consumer(info.ack_floor.stream_seq, info.delivered.stream_seq, askedAt);
          if (hooks.drained !== undefined && info.num_pending === 0 && info.num_ack_pending === 0 && hooks.drained.held() === 0) {
            hooks.drained.then();
            return;
          }
        }
      }
      await pause(every, undefined, { signal }).catch(() => {}); // aborted: the loop ends
    }
  })();
}
