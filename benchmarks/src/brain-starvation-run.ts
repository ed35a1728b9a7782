import type { SourceRecord } from '@tidemark/engine';
import { recordRun, records } from './brain-run.js';
import { lowFigures, starvationPriorities } from './brain-starvation.js';
import type { StarvationMode, StarvationPlan, StarvationRun } from './brain-starvation.js';

const sleepUrl = new URL('./workers/sleep.js', import.meta.url);

/**
 * The starvation scenario's one run: a source that never waits yields
 * `lows` low-priority messages, then only high-priority ones to `messages`
 * in all, into a `block` input buffer of `input`. Reading stops while the
 * buffer is full, so high-priority messages arrive exactly as fast as the
 * workers take messages, until the source's last item: the buffer is full
 * of them, and a low-priority message only leaves it when it ranks first.
 * Under `fifo` the buffer serves read order; under the priority modes the
 * engine's `priority` option gives high 1 and low 0, with `priorityAging`
 * `plan.aging` or `Infinity`.
 */
export async function runStarvation(plan: StarvationPlan, mode: StarvationMode, round: number): Promise<StarvationRun> {
  const isLowSeq = (seq: number): boolean => seq < plan.lows;
  const priority = (record: SourceRecord): number => ((record.value as { high: boolean }).high ? starvationPriorities.high : starvationPriorities.low);
  const run = await recordRun(
    {
      transform: sleepUrl,
      threads: plan.threads,
      concurrency: plan.concurrency,
      buffers: { input: { messages: plan.input } },
      ...(mode === 'fifo' ? {} : { priority, priorityAging: mode === 'priority, aging' ? plan.aging : Number.POSITIVE_INFINITY }),
    },
    records(plan.messages, (i) => ({ ms: plan.sleepMs, high: !isLowSeq(i) })),
  );
  const wrong = mode === 'fifo' ? undefined : run.acks.find((ack) => ack.priority !== (isLowSeq(ack.seq) ? starvationPriorities.low : starvationPriorities.high));
  if (wrong !== undefined) throw new Error(`bench:brain: message ${wrong.seq} has priority ${String(wrong.priority)}`);
  const figures = lowFigures(run.acks, (ack) => isLowSeq(ack.seq));
  return {
    name: mode,
    round,
    throughput: run.throughput,
    highsFor: (figures.lastReadAt - run.firstReadAt) / 1000,
    drainMs: (plan.input * 1000) / run.throughput,
    ...figures,
  };
}
