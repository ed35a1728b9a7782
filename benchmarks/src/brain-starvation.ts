import type { AckTimes } from './brain-run.js';

/** The priorities the starvation scenario gives (the engine's `priority` option): high over low by one level. */
export const starvationPriorities = { high: 1, low: 0 } as const;

/** How the starvation scenario runs. */
export interface StarvationPlan {
  readonly threads: number;
  /** Messages in all: `lows` low-priority ones first, then high-priority ones only. */
  readonly messages: number;
  readonly lows: number;
  /** ms each message awaits at the worker. */
  readonly sleepMs: number;
  /** The fixed in-flight target: with `sleepMs`, the workers' pace. */
  readonly concurrency: number;
  /** The input buffer's messages (`block`). */
  readonly input: number;
  /** `priorityAging` of the aging runs: ms of waiting per level. */
  readonly aging: number;
}

/** How the input buffer orders messages: FIFO, by priority with `plan.aging`, or by priority with aging off (`Infinity`). */
export type StarvationMode = 'fifo' | 'priority, aging' | 'priority, aging off';

/** The modes in the order they run. */
export const starvationModes: readonly StarvationMode[] = ['fifo', 'priority, aging', 'priority, aging off'];

/** What one run's ack traces say about the low-priority messages. */
export interface LowFigures {
  readonly messages: number;
  /** Epoch ms the last message was read: the source's last item, after which no high-priority message arrives. */
  readonly lastReadAt: number;
  /** ms read to ack, the longest of any message. */
  readonly maxWait: number;
  readonly lowSent: number;
  /** Low-priority messages acked before the last read: while high-priority ones still arrived. */
  readonly lowWhileHighs: number;
  /** ms read to ack, the longest of a low-priority message; NaN when there is none. */
  readonly lowMaxWait: number;
  /** ms from the last read to the last low-priority ack (negative: before it); NaN when there is none. */
  readonly lastLowAfterEnd: number;
}

/** One run of the starvation scenario. */
export interface StarvationRun extends LowFigures {
  readonly name: StarvationMode;
  /** Which repeat, from 0: an aging run's bound takes the FIFO run of the same round. */
  readonly round: number;
  readonly throughput: number;
  /** s from the first read to the last: how long high-priority messages kept arriving (the lows come first). */
  readonly highsFor: number;
  /** ms: the input buffer ÷ the throughput, the time to serve one full buffer. */
  readonly drainMs: number;
}

/**
 * The low-priority figures of one run's acks (`isLow` says which): how
 * many were acked before the last message was read, and the longest wait.
 * A low-priority message acked after the last read waited until no
 * high-priority message arrived any more.
 */
export function lowFigures(acks: readonly AckTimes[], isLow: (ack: AckTimes) => boolean): LowFigures {
  let lastReadAt = Number.NEGATIVE_INFINITY;
  let maxWait = Number.NEGATIVE_INFINITY;
  for (const ack of acks) {
    lastReadAt = Math.max(lastReadAt, ack.readAt);
    maxWait = Math.max(maxWait, ack.ackedAt - ack.readAt);
  }
  const lows = acks.filter(isLow);
  const lowWhileHighs = lows.filter((ack) => ack.ackedAt < lastReadAt).length;
  const lowMaxWait = lows.reduce((m, ack) => Math.max(m, ack.ackedAt - ack.readAt), Number.NEGATIVE_INFINITY);
  const lastLowAck = lows.reduce((m, ack) => Math.max(m, ack.ackedAt), Number.NEGATIVE_INFINITY);
  const none = lows.length === 0;
  return {
    messages: acks.length,
    lastReadAt: acks.length === 0 ? Number.NaN : lastReadAt,
    maxWait: acks.length === 0 ? Number.NaN : maxWait,
    lowSent: lows.length,
    lowWhileHighs,
    lowMaxWait: none ? Number.NaN : lowMaxWait,
    lastLowAfterEnd: none ? Number.NaN : lastLowAck - lastReadAt,
  };
}

/** What the starvation scenario's table shows and how the bound is had, as printed under it (Markdown and the HTML report). */
export function starvationNote(plan: StarvationPlan): string {
  return (
    `The source yields ${plan.lows} low-priority messages, then only high-priority ones, ${plan.messages.toLocaleString('en')} in all, into a block input buffer of ${plan.input}; each awaits ${plan.sleepMs} ms at concurrency ${plan.concurrency} on ${plan.threads} threads (at most ${Math.round((plan.concurrency * 1000) / plan.sleepMs).toLocaleString('en')} msg/s). ` +
    'Reading stops while the buffer is full, so high-priority messages arrive as fast as the workers serve until the source\'s last item. ' +
    `priority: high ${starvationPriorities.high}, low ${starvationPriorities.low}; aging: priorityAging ${plan.aging} ms a level (not the default 10 s, so that the lows' turn comes within a few seconds of arrivals and the run stays short; the bound scales with it); aging off: priorityAging Infinity. ` +
    'Done while highs arrived: acked (ack traces) before the last message was read; arrivals: first read to last read. ' +
    'Bound on the low max wait: a message Δp levels down ranks with a fresh arrival once it has waited Δp × priorityAging; from then on only messages already in the buffer are ahead of it, at most one full buffer, whose wait the FIFO run of the same round measures (its longest read→ack; input ÷ msg/s gives the same from the run\'s pace, for comparison). ' +
    'Aging off: the lows wait until the highs end (informative; all but those dispatched before the first high arrived).'
  );
}
