// The arithmetic of the overhead benchmark's remote-engine section (the in-process Engine,
// spawnEngine and `tidemark serve` over WebSocket, in one process): a run's rate and p99 from
// its stamps, the medians, the ratios to the in-process engine, the checks and the table.
// No timing here; overhead-remote-run.ts runs the contenders and stamps the messages.
import { percentile } from '@tidemark/engine/workload';
import { markdownTable } from 'markdown-table';
import type { Check } from './check.js';
import { upperMedian as median } from './distribution.js';

/** The workloads of the section. */
export type RemoteWorkloadName = 'trivial' | 'skewed';

/** What a contender is to the ratios and checks: `in-process` is what the others divide by, `worker` is held to {@link remoteBars}. */
export type RemoteRole = 'in-process' | 'worker' | 'websocket';

/**
 * The bars of the checks: `spawnEngine`'s median msg/s over the in-process engine's, per
 * workload (issue 13: at least 0.8 of the trivial throughput, 0.95 of the skewed one).
 * The WebSocket contender is reported without a bar.
 */
export const remoteBars: Readonly<Record<RemoteWorkloadName, number>> = { trivial: 0.8, skewed: 0.95 };

/** One timed run of one contender on one workload. */
export interface RemoteRun {
  readonly workload: RemoteWorkloadName;
  readonly role: RemoteRole;
  readonly label: string;
  /** Which of the repeats, from 0. */
  readonly run: number;
  /** Its place in that repeat's order, from 0. */
  readonly position: number;
  readonly messages: number;
  /** From the first pull of the source to the last record taken. */
  readonly seconds: number;
  readonly messagesPerSecond: number;
  /** The 99th percentile of the messages' end-to-end latencies (source yield to record taken), ms. */
  readonly p99Ms: number;
  /** The most messages the source had yielded whose records the consumer had not taken yet: what waits between them. */
  readonly maxAhead: number;
}

/** One contender on one workload: its runs' figures in run order, their medians, and those over the in-process engine's. */
export interface RemoteRow {
  readonly workload: RemoteWorkloadName;
  readonly role: RemoteRole;
  readonly label: string;
  readonly rates: readonly number[];
  readonly p99s: readonly number[];
  readonly median: number;
  readonly medianP99Ms: number;
  readonly medianMaxAhead: number;
  /** Median msg/s over the in-process engine's median msg/s on the same workload. */
  readonly overInProcess: number;
  /** Median p99 over the in-process engine's median p99 on the same workload. */
  readonly p99OverInProcess: number;
}

/**
 * A run's figures from its stamps: `sent[i]` when the host's source yielded message i,
 * `received[i]` when the consumer took its record (both `performance.now()`, ms). The wall
 * time is from the first yield to the last record; the latencies are `received - sent`.
 */
export function runFigures(sent: Float64Array, received: Float64Array): { seconds: number; messagesPerSecond: number; p99Ms: number } {
  if (sent.length !== received.length || sent.length === 0) throw new RangeError(`runFigures: ${sent.length} sent and ${received.length} received stamps`);
  const latencies = new Float64Array(sent.length);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < sent.length; i++) {
    const s = sent[i] as number;
    const r = received[i] as number;
    latencies[i] = r - s;
    if (s < first) first = s;
    if (r > last) last = r;
  }
  const seconds = (last - first) / 1e3;
  return { seconds, messagesPerSecond: sent.length / seconds, p99Ms: percentile(latencies, 99) };
}

/** The runs as rows, one per workload and contender in the order first seen, with medians and the ratios. */
export function remoteRows(runs: readonly RemoteRun[]): RemoteRow[] {
  const groups = new Map<string, RemoteRun[]>();
  for (const r of runs) {
    const key = `${r.workload}\0${r.label}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const inProcess = (workload: RemoteWorkloadName): RemoteRun[] =>
    [...groups.values()].find((g) => g[0]?.workload === workload && g[0].role === 'in-process') ?? [];
  return [...groups.values()].map((group) => {
    const { workload, role, label } = group[0] as RemoteRun;
    const ordered = [...group].sort((a, b) => a.run - b.run);
    const rates = ordered.map((r) => r.messagesPerSecond);
    const p99s = ordered.map((r) => r.p99Ms);
    const base = inProcess(workload);
    const m = median(rates);
    const p99 = median(p99s);
    return {
      workload,
      role,
      label,
      rates,
      p99s,
      median: m,
      medianP99Ms: p99,
      medianMaxAhead: median(ordered.map((r) => r.maxAhead)),
      overInProcess: m / median(base.map((r) => r.messagesPerSecond)),
      p99OverInProcess: p99 / median(base.map((r) => r.p99Ms)),
    };
  });
}

/** One check per workload with a `worker` row: its msg/s over the in-process engine's >= the workload's bar; `bench:overhead` exits 1 when one fails. */
export function remoteChecks(rows: readonly RemoteRow[]): Check[] {
  return rows
    .filter((r) => r.role === 'worker')
    .map((r) => {
      const bar = remoteBars[r.workload];
      const base = r.median / r.overInProcess;
      return {
        name: `${r.workload}: ${r.label} / in-process msg/s >= ${bar.toFixed(2)}`,
        // NaN (no in-process row) fails.
        pass: r.overInProcess >= bar,
        detail: Number.isFinite(r.overInProcess) ? `${fmt(r.median)} / ${fmt(base)} msg/s = ${r.overInProcess.toFixed(3)}` : `${fmt(r.median)} msg/s, no in-process run to divide by`,
      };
    });
}

/** The rows as Markdown: per-run msg/s, the median, the ratio to the in-process engine, the median p99 and its ratio, the median most ahead. */
export function remoteTable(rows: readonly RemoteRow[]): string {
  const runs = Math.max(0, ...rows.map((r) => r.rates.length));
  const ratio = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}x` : '');
  return markdownTable(
    [
      ['workload', 'engine', ...Array.from({ length: runs }, (_, i) => `msg/s, run ${i + 1}`), 'median msg/s', '÷ in-process', 'p99 ms (median)', 'p99 ÷ in-process', 'most ahead (median)'],
      ...rows.map((r) => [
        r.workload,
        r.label,
        ...Array.from({ length: runs }, (_, i) => fmt(r.rates[i] ?? Number.NaN)),
        `**${fmt(r.median)}**`,
        ratio(r.overInProcess),
        Number.isFinite(r.medianP99Ms) ? r.medianP99Ms.toFixed(2) : '',
        ratio(r.p99OverInProcess),
        fmt(r.medianMaxAhead),
      ]),
    ],
    { align: ['l', 'l', ...Array.from({ length: runs }, () => 'r' as const), 'r', 'r', 'r', 'r', 'r'] },
  );
}

function fmt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '';
}

/**
 * The section's message counts from `--messages` (1,000,000 by default): a fifth of it for the
 * trivial workload, a fiftieth for the skewed one (whose messages take ms each), at least 1,000.
 */
export function remoteMessageCounts(messages: number): { trivial: number; skewed: number } {
  return { trivial: Math.max(1000, Math.round(messages / 5)), skewed: Math.max(1000, Math.round(messages / 50)) };
}
