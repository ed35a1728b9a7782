// The JetStream side of a `pnpm bench:nats` session: the streams, the gate
// that holds the engine processes until all of them are ready, the backlog,
// the paced producer, and reading back what the server stored and when.
import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy } from '@nats-io/jetstream';
import type { Consumer, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetStreamHeaders } from '@tidemark/engine/nats';
import type { NatsPayload } from './nats-workload.js';

const nanosPerMs = 1_000_000;
/** AckWait of the session's consumer: longer than any session, so the gate message held by the bench is never redelivered. */
const ackWaitMs = 600_000;
/** max_ack_pending once the gate is lifted: far above what the processes' buffers can hold, so it never binds. */
export const openAckPending = 100_000;

/** The names of one session's streams and consumer. */
export interface SessionNames {
  readonly stream: string;
  readonly subject: string;
  readonly sinkStream: string;
  readonly sinkSubject: string;
  readonly consumer: string;
}

/** Fresh names for session `k`, so that no session sees another's messages or consumer state. */
export function sessionNames(k: number): SessionNames {
  return { stream: `BENCH_IN_${k}`, subject: `bench.in.${k}`, sinkStream: `BENCH_OUT_${k}`, sinkSubject: `bench.out.${k}`, consumer: 'engines' };
}

/**
 * Creates the session's streams and its durable consumer, with a gate: the
 * first message of the stream is delivered to the bench and held unacked
 * while the consumer allows one unacked message, so no engine process gets
 * anything until {@link openGate}; and while the bench holds it, the
 * consumer is never drained, so no process exits until {@link closeGate}.
 */
export async function gatedStreams(js: JetStreamClient, jsm: JetStreamManager, names: SessionNames): Promise<JsMsg> {
  await jsm.streams.add({ name: names.stream, subjects: [names.subject] });
  await jsm.streams.add({ name: names.sinkStream, subjects: [names.sinkSubject], duplicate_window: 120_000 * nanosPerMs });
  await js.publish(names.subject, JSON.stringify({ id: -1, ms: 0, spin: 0 } satisfies NatsPayload));
  await jsm.consumers.add(names.stream, {
    durable_name: names.consumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: ackWaitMs * nanosPerMs,
    max_ack_pending: 1,
  });
  const consumer = await js.consumers.get(names.stream, names.consumer);
  const gate = await consumer.next({ expires: 10_000 });
  if (gate === null) throw new Error(`the gate message of ${names.stream} was not delivered`);
  return gate;
}

/** Lets the engine processes take messages: the consumer's max_ack_pending goes from 1 to {@link openAckPending}. */
export async function openGate(jsm: JetStreamManager, names: SessionNames): Promise<void> {
  await jsm.consumers.update(names.stream, names.consumer, { max_ack_pending: openAckPending });
}

/** Acks the gate message: once the rest is acked too, the consumer is drained and the processes exit. */
export async function closeGate(nc: NatsConnection, gate: JsMsg): Promise<void> {
  gate.ack();
  await nc.flush();
}

/** Publishes `payloads` to `subject`, 500 at a time, each confirmed by the stream. */
export async function publishBacklog(js: JetStreamClient, subject: string, payloads: readonly NatsPayload[]): Promise<void> {
  for (let start = 0; start < payloads.length; start += 500) {
    await Promise.all(payloads.slice(start, start + 500).map((p) => js.publish(subject, JSON.stringify(p))));
  }
}

/**
 * Publishes `payloads` to `subject` at `rate` per second: message i goes out
 * once i / rate seconds have passed since the first (core publishes, so the
 * producer waits for no acks; the stream's count is checked afterwards).
 * Resolves with the seconds it took.
 */
export async function publishPaced(nc: NatsConnection, subject: string, payloads: readonly NatsPayload[], rate: number): Promise<number> {
  const start = performance.now();
  let sent = 0;
  while (sent < payloads.length) {
    const due = Math.min(payloads.length, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    for (; sent < due; sent++) nc.publish(subject, JSON.stringify(payloads[sent]));
    if (sent < payloads.length) await sleep(1);
  }
  await nc.flush();
  return (performance.now() - start) / 1000;
}

/** Waits until `stream` holds at least `count` messages, looking every `every` ms; fails after `limitMs`. */
export async function whenStored(jsm: JetStreamManager, stream: string, count: number, limitMs: number, every = 100): Promise<void> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const { messages } = (await jsm.streams.info(stream)).state;
    if (messages >= count) return;
    if (performance.now() > deadline) throw new Error(`${stream} holds ${messages} messages after ${limitMs} ms, waiting for ${count}`);
    await sleep(every);
  }
}

/** Waits until `count` processes have a pull request waiting on the consumer: all of them are connected and asking. */
export async function whenPulling(consumer: Consumer, count: number, limitMs: number): Promise<void> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const info = await consumer.info();
    if (info.num_waiting >= count) return;
    if (performance.now() > deadline) throw new Error(`${info.num_waiting} of ${count} engine processes pulling after ${limitMs} ms`);
    await sleep(20);
  }
}

/** A message as the server stored it: its sequence, when (ms, the server's clock, to the ns), and for a sink message the source sequence and processor. */
export interface StoredMessage {
  readonly seq: number;
  readonly storedAt: number;
  readonly sourceSeq: number;
  readonly processor: string;
}

/** Every message of `stream`, in order, read with an ordered consumer. */
export async function readStored(js: JetStreamClient, jsm: JetStreamManager, stream: string): Promise<StoredMessage[]> {
  const count = (await jsm.streams.info(stream)).state.messages;
  const out: StoredMessage[] = [];
  if (count === 0) return out;
  const consumer = await js.consumers.get(stream);
  const messages = await consumer.consume({ max_messages: 1000 });
  for await (const msg of messages) {
    out.push({
      seq: msg.seq,
      storedAt: Number(msg.timestampNanos / 1000n) / 1000, // µs first: ns since 1970 lose precision in a double
      sourceSeq: Number(msg.headers?.get(jetStreamHeaders.sourceSequence) ?? Number.NaN),
      processor: msg.headers?.get(jetStreamHeaders.processor) ?? '',
    });
    if (out.length === count) break;
  }
  await messages.close();
  return out;
}
