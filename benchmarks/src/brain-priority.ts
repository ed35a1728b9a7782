import type { SourceRecord } from '@tidemark/engine';
import { seededRandom } from '@tidemark/engine/workload';
import { recordRun, records } from './brain-run.js';
import { distribution } from './distribution.js';

const sleepUrl = new URL('./workers/sleep.js', import.meta.url);

/** How the priority scenario runs. */
export interface PriorityPlan {
  readonly threads: number;
  readonly messages: number;
  /** The share of high-priority messages, 0 to 1. */
  readonly highShare: number;
  /** ms each message awaits at the worker. */
  readonly sleepMs: number;
  /** The fixed in-flight target: with `sleepMs`, the workers' pace. */
  readonly concurrency: number;
  /** The input buffer's messages: the queue a priority can jump. */
  readonly input: number;
  readonly seed: number;
}

/** Latency figures of one class of messages, ms read to ack. */
export interface ClassFigures {
  readonly sent: number;
  /** Acked with their output. */
  readonly completed: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * How the input buffer orders messages: FIFO (no `priority` option), by
 * priority with the default `priorityAging` (10 s a level), with 1 s a
 * level (the aging too fast for waits of seconds), or with aging off
 * (`priorityAging: Infinity`).
 */
export type PriorityMode = 'fifo' | 'priority' | 'priority, 1 s aging' | 'priority, aging off';

/** The modes in the order they run. */
export const priorityModes: readonly PriorityMode[] = ['fifo', 'priority', 'priority, 1 s aging', 'priority, aging off'];

/** `priorityAging` of each priority mode; undefined: the default. */
const aging: Partial<Record<PriorityMode, number>> = { 'priority, 1 s aging': 1000, 'priority, aging off': Number.POSITIVE_INFINITY };

/** One run of the priority scenario. */
export interface PriorityRun {
  readonly name: PriorityMode;
  readonly throughput: number;
  readonly high: ClassFigures;
  readonly low: ClassFigures;
}

interface Item {
  readonly ms: number;
  readonly high: boolean;
}

/** Which messages are high priority, by read order: `highShare` of them, drawn with `seed`. */
export function highPriority(messages: number, highShare: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const high = new Uint8Array(messages);
  for (let i = 0; i < messages; i++) high[i] = random() < highShare ? 1 : 0;
  return high;
}

/**
 * The priority scenario's one run: a source far faster than the workers
 * (a generator that never waits) into an input buffer of `input` messages
 * (`block`: reading stops while it is full), so every message queues
 * there; `highShare` of them are high priority. Under a priority `mode`,
 * the engine's `priority` option ranks them (high 1, low 0); under
 * `fifo` the buffer serves them in read order. The same messages in the
 * same order whatever the mode.
 */
export async function runPriority(plan: PriorityPlan, mode: PriorityMode): Promise<PriorityRun> {
  const high = highPriority(plan.messages, plan.highShare, plan.seed);
  const priority = (record: SourceRecord): number => ((record.value as Item).high ? 1 : 0);
  const run = await recordRun(
    {
      transform: sleepUrl,
      threads: plan.threads,
      concurrency: plan.concurrency,
      buffers: { input: { messages: plan.input } },
      ...(mode === 'fifo' ? {} : { priority }),
      ...(aging[mode] === undefined ? {} : { priorityAging: aging[mode] }),
    },
    records(plan.messages, (i): Item => ({ ms: plan.sleepMs, high: high[i] === 1 })),
  );
  const of = (wanted: number): ClassFigures => {
    const latencies = run.readToAck.filter((_, seq) => high[seq] === wanted);
    const sent = high.reduce((n, h) => n + (h === wanted ? 1 : 0), 0);
    const { count, p50, p99, max } = distribution(latencies);
    return { sent, completed: count, p50, p99, max };
  };
  return { name: mode, throughput: run.throughput, high: of(1), low: of(0) };
}
