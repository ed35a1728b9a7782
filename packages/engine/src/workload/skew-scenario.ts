import { availableParallelism } from 'node:os';
import { skewTransformUrl } from '@tidemark/workers';
import type { SkewMessage } from '@tidemark/workers/skew-transform';
import { Engine } from '../engine.js';
import type { SourceRecord } from '../message.js';
import { now } from '../message-state.js';
import type { MessageTrace } from '../message-state.js';
import { sampleLatency } from './distributions.js';
import type { DistributionName } from './distributions.js';
import { seededRandom } from './random.js';
import { mean, percentile } from './stats.js';
import { inFlightSeries, thin } from './timeline.js';
import type { SkewTimeline } from './timeline.js';

/** How the skew transform spends a message's latency (see the workers package). */
export type SkewFamily = SkewMessage['family'];

/** One latency-skew scenario. */
export interface SkewScenario {
  readonly family: SkewFamily;
  readonly distribution: DistributionName;
  readonly mode: 'async' | 'batch';
  /** In-flight target (async) and batch size (batch). */
  readonly concurrency: number;
  /** Worker threads. @default `concurrency` for `blocking`, else the core count */
  readonly threads?: number;
  readonly messages: number;
  /** Expected latency per message, ms. */
  readonly meanMs: number;
  readonly seed: number;
}

/** What one scenario measured. Times in ms, rates per second. */
export interface SkewResult extends Required<SkewScenario> {
  /** Messages acked per second between the first read and the last read (the steady state). */
  readonly throughput: number;
  /** Messages per second over the whole run, drain included. */
  readonly wallThroughput: number;
  /** `concurrency / mean latency`, the mean as the transform itself measured it. */
  readonly ideal: number;
  /** `throughput / ideal`. */
  readonly efficiency: number;
  /** Mean latency as measured inside the transform, start to end. */
  readonly measuredMeanMs: number;
  /** Mean of the seeded latencies the transform was asked for. */
  readonly sampledMeanMs: number;
  /** Time-averaged messages at the workers during the steady state. */
  readonly parallelism: number;
  readonly latencyP50: number;
  readonly latencyP99: number;
  /** `now - watermark`, sampled at every ack. */
  readonly lagP50: number;
  readonly lagP99: number;
  readonly failed: number;
  readonly seconds: number;
}

/** The threads a family runs on when the scenario does not say. */
export function defaultThreads(family: SkewFamily, concurrency: number): number {
  return family === 'blocking' ? concurrency : availableParallelism();
}

/** The same seeded latencies for a given scenario, whatever its mode. */
export function skewLatencies(scenario: Pick<SkewScenario, 'distribution' | 'meanMs' | 'messages' | 'seed'>): Float64Array {
  const random = seededRandom(scenario.seed);
  const latencies = new Float64Array(scenario.messages);
  for (let i = 0; i < latencies.length; i++) {
    latencies[i] = sampleLatency(scenario.distribution, scenario.meanMs, random);
  }
  return latencies;
}

/** A result with what a report draws of the run. */
export interface SkewRun extends SkewResult {
  readonly timeline: SkewTimeline;
}

/** Hooks into a {@link runSkewScenario} run. */
export interface SkewHooks {
  /** Called with the engine once it is warmed up, just before the measured run (for a progress display). */
  readonly measuring?: (engine: Engine) => void;
}

/** Run one scenario on a fresh engine (warmed up first) and measure it. */
export async function runSkewScenario(scenario: SkewScenario, hooks: SkewHooks = {}): Promise<SkewRun> {
  const threads = scenario.threads ?? defaultThreads(scenario.family, scenario.concurrency);
  const latencies = skewLatencies(scenario);
  await using engine = new Engine({
    transform: skewTransformUrl,
    threads,
    concurrency: scenario.concurrency,
    mode: scenario.mode,
    batchSize: scenario.concurrency,
    retry: { attempts: 1 },
  });
  const warmup = Array.from({ length: scenario.concurrency * 2 }, () => ({ value: { ms: 1, family: scenario.family } }));
  for await (const record of engine.process(warmup)) void record;

  const n = latencies.length;
  const readAt = new Float64Array(n);
  const ackedAt = new Float64Array(n);
  const startedAt = new Float64Array(n);
  const endedAt = new Float64Array(n);
  const dispatchedAt = new Float64Array(n);
  const completedAt = new Float64Array(n);
  const lags: number[] = [];
  const lagSeries: [number, number][] = [];
  let begin = 0;
  engine.on('ack', (trace: MessageTrace) => {
    readAt[trace.seq] = trace.readAt;
    dispatchedAt[trace.seq] = trace.dispatchedAt;
    completedAt[trace.seq] = trace.completedAt;
    ackedAt[trace.seq] = trace.ackedAt;
    startedAt[trace.seq] = trace.startedAt;
    endedAt[trace.seq] = trace.endedAt;
    const watermark = engine.watermark;
    if (Number.isFinite(watermark)) {
      lags.push(trace.ackedAt - watermark);
      lagSeries.push([trace.ackedAt - begin, trace.ackedAt - watermark]);
    }
  });

  const measured: number[] = [];
  let failed = 0;
  hooks.measuring?.(engine);
  begin = now();
  for await (const record of engine.process<number>(source(latencies, scenario.family))) {
    if (record.kind === 'output') measured.push(record.value);
    else failed++;
  }
  const end = now();
  const result = summarize(scenario, threads, latencies, measured, failed, { readAt, ackedAt, startedAt, endedAt, lags, begin, end });
  const e2e = Array.from(ackedAt, (ack, i) => ack - (readAt[i] ?? 0));
  return {
    ...result,
    timeline: {
      inFlight: inFlightSeries(dispatchedAt, completedAt, begin),
      watermarkLag: thin(lagSeries),
      latencies: e2e,
    },
  };
}

function* source(latencies: Float64Array, family: SkewFamily): Generator<SourceRecord<SkewMessage>> {
  for (const ms of latencies) yield { value: { ms, family }, eventTime: now() };
}

interface Timeline {
  readonly readAt: Float64Array;
  readonly ackedAt: Float64Array;
  readonly startedAt: Float64Array;
  readonly endedAt: Float64Array;
  readonly lags: number[];
  readonly begin: number;
  readonly end: number;
}

function summarize(
  scenario: SkewScenario,
  threads: number,
  latencies: Float64Array,
  measured: number[],
  failed: number,
  t: Timeline,
): SkewResult {
  const n = latencies.length;
  // Steady state: from the first read to the last read. After the last read
  // the in-flight count can only fall (the drain of a finite input).
  const from = t.readAt[0] ?? t.begin;
  const to = t.readAt[n - 1] ?? t.end;
  let acked = 0;
  let busy = 0;
  const e2e = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ack = t.ackedAt[i] ?? 0;
    if (ack >= from && ack <= to) acked++;
    busy += Math.max(0, Math.min(to, t.endedAt[i] ?? 0) - Math.max(from, t.startedAt[i] ?? 0));
    e2e[i] = ack - (t.readAt[i] ?? 0);
  }
  const window = Math.max(to - from, 1e-9);
  const measuredMeanMs = mean(measured);
  const throughput = (acked / window) * 1000;
  const ideal = (scenario.concurrency / measuredMeanMs) * 1000;
  return {
    ...scenario,
    threads,
    throughput,
    wallThroughput: (n / (t.end - t.begin)) * 1000,
    ideal,
    efficiency: throughput / ideal,
    measuredMeanMs,
    sampledMeanMs: mean(latencies),
    parallelism: busy / window,
    latencyP50: percentile(e2e, 50),
    latencyP99: percentile(e2e, 99),
    lagP50: percentile(t.lags, 50),
    lagP99: percentile(t.lags, 99),
    failed,
    seconds: (t.end - t.begin) / 1000,
  };
}
