import { Engine } from '@tidemark/engine';
import type { MessageTrace, SourceRecord } from '@tidemark/engine';
import { orderViolations, overlapViolations } from './keyed-order.js';
import type { KeyedOutput, KeyedSpan, OrderViolation } from './keyed-order.js';
import type { KeyedMessage, KeyedSetting } from './keyed-workload.js';

const sleepUrl = new URL('./workers/sleep.js', import.meta.url);

/** One engine run of the keyed benchmark. */
export interface KeyedRun {
  readonly setting: KeyedSetting;
  /** Which repeat, from 0 (-1: warm-up), which of its A/B pairs (0 outside them), and the place in its order, from 0. */
  readonly round: number;
  readonly pair: number;
  readonly position: number;
  readonly messages: number;
  /** From the first message read to the last acked (ack traces; the workers' start is not in it). */
  readonly seconds: number;
  readonly throughput: number;
  /** Breaches of per-key order in this run (see keyed-order.ts); a few kept for printing. */
  readonly orderViolations: number;
  readonly overlapViolations: number;
  readonly firstViolations: readonly OrderViolation[];
}

/** How every run is made. */
export interface KeyedEngineSettings {
  readonly threads: number;
  readonly concurrency: number;
}

/**
 * Run `messages` (in offset order) through a fresh engine of `settings` with the sleep
 * worker, `ordering: 'key'` for a number of keys or `'unordered'`, and check per-key order
 * on the way: the outputs' order as yielded, and the ack traces' start and end times (see
 * keyed-order.ts). Any failed or dropped message throws: none is expected, and a time over messages
 * that did not run would mean nothing.
 */
export async function runKeyed(
  messages: readonly KeyedMessage[],
  setting: KeyedSetting,
  settings: KeyedEngineSettings,
  at: { round: number; pair: number; position: number },
): Promise<KeyedRun> {
  await using engine = new Engine({
    transform: sleepUrl,
    threads: settings.threads,
    concurrency: settings.concurrency,
    ordering: setting === 'unordered' ? 'unordered' : 'key',
  });
  const spans: KeyedSpan[] = [];
  const outputs: KeyedOutput[] = [];
  let firstReadAt = Number.POSITIVE_INFINITY;
  let lastAckAt = Number.NEGATIVE_INFINITY;
  let bad: MessageTrace | undefined;
  engine.on('ack', (trace) => {
    if (trace.outcome !== 'completed') bad ??= trace;
    spans.push({ key: trace.key, offset: trace.offset, startedAt: trace.startedAt, endedAt: trace.endedAt });
    if (trace.readAt < firstReadAt) firstReadAt = trace.readAt;
    if (trace.ackedAt > lastAckAt) lastAckAt = trace.ackedAt;
  });
  const source = (function* (): Generator<SourceRecord<{ ms: number }>> {
    for (const m of messages) yield { value: { ms: m.ms }, key: m.key };
  })();
  for await (const record of engine.process(source)) {
    if (record.kind === 'output') outputs.push({ key: record.key, offset: record.offset });
  }
  if (bad !== undefined) throw new Error(`bench keyed: message ${bad.offset} ended ${bad.outcome ?? 'without an outcome'} (stage ${bad.stage})`);
  if (outputs.length !== messages.length || spans.length !== messages.length) {
    throw new Error(`bench keyed: ${outputs.length} outputs and ${spans.length} acks of ${messages.length} messages`);
  }
  const order = orderViolations(outputs);
  const overlap = overlapViolations(spans);
  const seconds = (lastAckAt - firstReadAt) / 1000;
  return {
    setting,
    ...at,
    messages: messages.length,
    seconds,
    throughput: messages.length / seconds,
    orderViolations: order.length,
    overlapViolations: overlap.length,
    firstViolations: [...order.slice(0, 5), ...overlap.slice(0, 5)],
  };
}
