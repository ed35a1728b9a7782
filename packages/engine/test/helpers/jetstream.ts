import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';

/** A connection with JetStream's client and manager, for a test to set up streams and read them back. */
export interface JetStreamSession {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  close(): Promise<void>;
}

export async function jetStreamSession(url: string): Promise<JetStreamSession> {
  const nc = await connect({ servers: url });
  return { nc, js: jetstream(nc), jsm: await jetstreamManager(nc), close: () => nc.drain() };
}

/** Streams for a run: `IN` (subject `in`), `OUT` (subject `out`, a duplicate window of two minutes) and `DLQ` (subject `dlq`). */
export async function addStreams(jsm: JetStreamManager): Promise<void> {
  await jsm.streams.add({ name: 'IN', subjects: ['in'] });
  await jsm.streams.add({ name: 'OUT', subjects: ['out'], duplicate_window: 120_000_000_000 });
  await jsm.streams.add({ name: 'DLQ', subjects: ['dlq'] });
}

/** Publish each value as JSON to `subject`, `window` at a time, each confirmed; `eventTime(i)` as the header when given. */
export async function publishAll(js: JetStreamClient, subject: string, values: readonly unknown[], eventTime?: (i: number) => number, window = 500): Promise<void> {
  for (let start = 0; start < values.length; start += window) {
    const batch = values.slice(start, start + window).map((value, j) => {
      const hdrs = headers();
      if (eventTime !== undefined) hdrs.set('Tidemark-Event-Time', String(eventTime(start + j)));
      return js.publish(subject, JSON.stringify(value), { headers: hdrs });
    });
    await Promise.all(batch);
  }
}

/** Every message of `stream`, in order, read with an ordered consumer. */
export async function readStream(js: JetStreamClient, jsm: JetStreamManager, stream: string): Promise<JsMsg[]> {
  const count = (await jsm.streams.info(stream)).state.messages;
  const out: JsMsg[] = [];
  if (count === 0) return out;
  const consumer = await js.consumers.get(stream);
  const messages = await consumer.consume({ max_messages: 1000 });
  for await (const msg of messages) {
    out.push(msg);
    if (out.length === count) break;
  }
  messages.stop();
  return out;
}

/** The JSON values of `msgs`. */
export function jsonOf(msgs: readonly JsMsg[]): unknown[] {
  return msgs.map((msg) => msg.json());
}

/**
 * Counts the messages `consumer` of `stream` has asked the server for: the
 * batches of its pull requests, as a core subscriber sees them go by. Once
 * the consumer has delivered that many, no request is left open.
 */
export function pullRequests(nc: NatsConnection, stream: string, consumer: string): { readonly requested: number; stop(): void } {
  const counter = { requested: 0, stop: () => sub.unsubscribe() };
  const sub = nc.subscribe(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`, {
    callback: (_error, msg) => {
      counter.requested += msg.json<{ batch?: number }>().batch ?? 1;
    },
  });
  return counter;
}
