import { performance } from 'node:perf_hooks';
import { Engine } from '@tidemark/engine';
import type { ConcurrencyChange, EngineOptions, MessageTrace, Source, SourceRecord } from '@tidemark/engine';
import { targetSeries } from './brain-series.js';
import type { TargetPoint } from './brain-series.js';

/** One message's ack trace as the starvation figures read it: epoch ms, and the priority the engine gave it. */
export interface AckTimes {
  /** Read order, from 0. */
  readonly seq: number;
  readonly readAt: number;
  readonly ackedAt: number;
  /** Undefined without the `priority` option. */
  readonly priority: number | undefined;
}

/** What one engine run of `pnpm bench:brain` recorded, before any summary. */
export interface RecordedRun {
  /** Messages acked, each with an output (a failed or dropped one throws instead). */
  readonly messages: number;
  /** Epoch ms: the first message read, and the last one acked. */
  readonly firstReadAt: number;
  readonly lastAckAt: number;
  /** Messages per second from the first read to the last ack. */
  readonly throughput: number;
  /** Per message by read order (`trace.seq`): ms from read to ack, the latency the consumer sees. */
  readonly readToAck: readonly number[];
  /** Every message's read and ack time and priority, in ack order. */
  readonly acks: readonly AckTimes[];
  /** Per message by read order: ms from its last dispatch to its completion, the latency the controller judges by. */
  readonly dispatchToDone: readonly number[];
  /** The in-flight target over the run (epoch ms), from `engine.concurrency` at the start and every `concurrency` event. */
  readonly series: readonly TargetPoint[];
  /** The `concurrency` events as they came. */
  readonly changes: readonly ConcurrencyChange[];
}

/**
 * Run `source` through a fresh engine with `options`, draining its records,
 * and record every ack's trace and every change of the target. The clock is
 * the engine's (epoch ms, `performance.timeOrigin + performance.now()`), so
 * the figures compare with the downstream's phase times. Any failed or
 * dropped message throws: the scenarios are built so that none is, and a
 * figure over messages that did not run would mean nothing.
 */
export async function recordRun(options: EngineOptions, source: Source<SourceRecord>): Promise<RecordedRun> {
  await using engine = new Engine(options);
  const readToAck: number[] = [];
  const dispatchToDone: number[] = [];
  const acks: AckTimes[] = [];
  const changes: ConcurrencyChange[] = [];
  let firstReadAt = Number.POSITIVE_INFINITY;
  let lastAckAt = Number.NEGATIVE_INFINITY;
  let bad: MessageTrace | undefined;
  engine.on('concurrency', (change) => changes.push(change));
  engine.on('ack', (trace) => {
    if (trace.outcome !== 'completed') bad ??= trace;
    readToAck[trace.seq] = trace.ackedAt - trace.readAt;
    dispatchToDone[trace.seq] = trace.completedAt - trace.dispatchedAt;
    acks.push({ seq: trace.seq, readAt: trace.readAt, ackedAt: trace.ackedAt, priority: trace.priority });
    if (trace.readAt < firstReadAt) firstReadAt = trace.readAt;
    if (trace.ackedAt > lastAckAt) lastAckAt = trace.ackedAt;
  });
  const startedAt = performance.timeOrigin + performance.now();
  const startTarget = engine.concurrency;
  let outputs = 0;
  for await (const record of engine.process(source)) if (record.kind === 'output') outputs++;
  if (bad !== undefined) throw new Error(`bench:brain: message ${bad.seq} ended ${bad.outcome ?? 'without an outcome'} (stage ${bad.stage})`);
  const messages = readToAck.length;
  if (outputs !== messages) throw new Error(`bench:brain: ${outputs} outputs of ${messages} messages`);
  return {
    messages,
    firstReadAt,
    lastAckAt,
    throughput: (messages * 1000) / (lastAckAt - firstReadAt),
    readToAck,
    acks,
    dispatchToDone,
    series: targetSeries(startedAt, startTarget, changes),
    changes,
  };
}

/** `count` source records whose values `value(i)` makes, read one by one as the engine asks. */
export function* records<T>(count: number, value: (i: number) => T): Generator<SourceRecord<T>> {
  for (let i = 0; i < count; i++) yield { value: value(i) };
}

/** Source records of `value` while `now()` (ms) is before `until`. */
export function* recordsUntil<T>(until: number, value: T): Generator<SourceRecord<T>> {
  while (performance.now() < until) yield { value };
}
