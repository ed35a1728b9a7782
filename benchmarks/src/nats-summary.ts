// The arithmetic and tables of `pnpm bench:nats`: per workload and process
// count, the medians over the rounds and each figure over one process's.
import { markdownTable } from 'markdown-table';
import { median } from './distribution.js';
import type { NatsSession } from './nats-session.js';
import type { NatsWorkloadName } from './nats-workload.js';

/** A workload at one process count, over its rounds (sessions listed in round order). */
export interface NatsRow {
  readonly workload: NatsWorkloadName;
  readonly processes: number;
  /** Backlog msg/s of each round, and their median. */
  readonly messagesPerSecond: readonly number[];
  readonly medianMessagesPerSecond: number;
  /** The median over one process's median, and round by round over one process's run of the same round. */
  readonly ratio: number;
  readonly roundRatios: readonly number[];
  /** Medians of CPU ms per 1,000 backlog messages: nats-server's, and the engine processes' together. */
  readonly brokerCpuMsPer1k: number;
  readonly enginesCpuMsPer1k: number;
  /** Median of the cores nats-server and the engine processes kept busy together while the backlog drained. */
  readonly coresBusy: number;
  /** Medians over the rounds of the smallest and the largest share of the backlog one process took. */
  readonly shareMin: number;
  readonly shareMax: number;
  /** The paced producer's target msg/s (the same in every round). */
  readonly rate: number;
  /** Medians of the paced messages' p50 and p99 (ms), p99 round by round, and the median p99 over one process's. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p99PerRound: readonly number[];
  readonly p99Ratio: number;
  /** The largest latency of any round, ms. */
  readonly maxMs: number;
}

/** The rows, one per workload and process count in the order they first appear; ratios over the row of 1 process of the same workload. */
export function natsRows(sessions: readonly NatsSession[]): NatsRow[] {
  const counted = sessions.filter((s) => s.round >= 0);
  const keys = [...new Map(counted.map((s) => [`${s.workload}\u0000${s.processes}`, s])).values()];
  const of = (workload: NatsWorkloadName, processes: number) =>
    counted.filter((s) => s.workload === workload && s.processes === processes).sort((a, b) => a.round - b.round);
  return keys.map(({ workload, processes }) => {
    const mine = of(workload, processes);
    const base = of(workload, 1);
    const rates = mine.map((s) => s.messagesPerSecond);
    const medianMessagesPerSecond = median(rates);
    const p99PerRound = mine.map((s) => s.p99Ms);
    const p99Ms = median(p99PerRound);
    return {
      workload,
      processes,
      messagesPerSecond: rates,
      medianMessagesPerSecond,
      ratio: medianMessagesPerSecond / median(base.map((s) => s.messagesPerSecond)),
      roundRatios: mine.map((s) => s.messagesPerSecond / (base.find((b) => b.round === s.round)?.messagesPerSecond ?? Number.NaN)),
      brokerCpuMsPer1k: median(mine.map((s) => s.brokerCpuMsPer1k)),
      enginesCpuMsPer1k: median(mine.map((s) => s.enginesCpuMsPer1k)),
      coresBusy: median(mine.map((s) => s.coresBusy)),
      shareMin: median(mine.map((s) => Math.min(...s.shares))),
      shareMax: median(mine.map((s) => Math.max(...s.shares))),
      rate: median(mine.map((s) => s.rate)),
      p50Ms: median(mine.map((s) => s.p50Ms)),
      p99Ms,
      p99PerRound,
      p99Ratio: p99Ms / median(base.map((s) => s.p99Ms)),
      maxMs: Math.max(...mine.map((s) => s.maxMs)),
    };
  });
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en');
const pct = (n: number): string => `${Math.round(n * 100)}%`;

/** The throughput table: msg/s, its ratio to one process, the CPU each side spent per 1,000 messages, how evenly the processes shared. */
export function throughputTable(rows: readonly NatsRow[]): string {
  return markdownTable(
    [
      ['workload', 'processes', 'msg/s (median)', '÷ 1 process', 'msg/s per round', '÷ 1 process per round', 'nats-server CPU ms / 1k msg', 'engines CPU ms / 1k msg', 'cores busy', 'backlog share per process'],
      ...rows.map((r) => [
        r.workload,
        String(r.processes),
        fmt(r.medianMessagesPerSecond),
        r.ratio.toFixed(2),
        r.messagesPerSecond.map(fmt).join(' / '),
        r.roundRatios.map((x) => x.toFixed(2)).join(' / '),
        r.brokerCpuMsPer1k.toFixed(0),
        r.enginesCpuMsPer1k.toFixed(0),
        r.coresBusy.toFixed(2),
        r.processes === 1 ? '100%' : `${pct(r.shareMin)}–${pct(r.shareMax)}`,
      ]),
    ],
    { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] },
  );
}

/** The latency table: the paced rate, p50 and p99 of sink-stored minus source-stored time, p99 over one process's. */
export function latencyTable(rows: readonly NatsRow[]): string {
  const ms = (n: number): string => n.toFixed(1);
  return markdownTable(
    [
      ['workload', 'processes', 'paced msg/s', 'p50 ms (median)', 'p99 ms (median)', 'p99 ÷ 1 process', 'p99 ms per round', 'max ms'],
      ...rows.map((r) => [
        r.workload,
        String(r.processes),
        fmt(r.rate),
        ms(r.p50Ms),
        ms(r.p99Ms),
        r.p99Ratio.toFixed(2),
        r.p99PerRound.map(ms).join(' / '),
        ms(r.maxMs),
      ]),
    ],
    { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] },
  );
}
