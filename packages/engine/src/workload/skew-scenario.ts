import { availableParallelism } from 'node:os';
import { skewTransformUrl } from '@tidemark/workers';
import type { SkewMessage } from '@tidemark/workers/skew-transform';
import { Engine } from '../engine.js';
import type { SourceRecord } from '../message.js';
import type { EngineOptions } from '../options/options.js';
import { now } from '../run/message-state.js';
import { sampleLatency } from './distributions.js';
import type { DistributionName } from './distributions.js';
import { runOracle, skewWait } from './oracle.js';
import type { OracleRun } from './oracle.js';
import { seededRandom } from './random.js';
import { summarizeSkew } from './skew-summary.js';
import type { SkewFigures } from './skew-summary.js';
import { measureRun } from '../measure/measure-run.js';
import type { SkewTimeline } from '../measure/timeline.js';

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
export interface SkewResult extends Required<SkewScenario>, SkewFigures {
  /** The oracle's mean wait (timer overshoot included), beside the measured and sampled means. */
  readonly oracleMeanMs: number;
}

/** The oracle figures a run is compared with; async and batch of one scenario share them. */
export type SkewOracle = Pick<OracleRun, 'throughput' | 'meanMs'>;

/** What tells scenarios apart, the mode aside: the async and batch runs of one scenario share it. */
export function scenarioKey(s: Omit<Required<SkewScenario>, 'mode'>): string {
  return JSON.stringify([s.family, s.distribution, s.concurrency, s.threads, s.messages, s.meanMs, s.seed]);
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
  /**
   * The oracle run of this scenario ({@link runSkewOracle}), so that async and
   * batch are divided by the same figure. Without it the run makes its own
   * just before the engine starts.
   */
  readonly oracle?: SkewOracle;
  /** Stops the run (the warm-up or the measured run) early: what is in flight finishes. */
  readonly signal?: AbortSignal;
}

/** The engine options a scenario runs with: the skew transform, one try per message, the batch size the concurrency. */
export function skewEngineOptions(scenario: SkewScenario): EngineOptions {
  return {
    transform: skewTransformUrl,
    threads: scenario.threads ?? defaultThreads(scenario.family, scenario.concurrency),
    concurrency: scenario.concurrency,
    mode: scenario.mode,
    batchSize: scenario.concurrency,
    retry: { attempts: 1 },
  };
}

/**
 * The oracle ({@link runOracle}) on the scenario's seeded latencies and
 * concurrency, in this process: the figure its runs' efficiency divides by.
 */
export function runSkewOracle(
  scenario: Pick<SkewScenario, 'family' | 'distribution' | 'meanMs' | 'messages' | 'seed' | 'concurrency'>,
  signal?: AbortSignal,
): Promise<OracleRun> {
  return runOracle(skewLatencies(scenario), scenario.concurrency, { sleep: skewWait(scenario.family), ...(signal === undefined ? {} : { signal }) });
}

/** Run one scenario on a fresh engine (warmed up first) and measure it. */
export async function runSkewScenario(scenario: SkewScenario, hooks: SkewHooks = {}): Promise<SkewRun> {
  const threads = scenario.threads ?? defaultThreads(scenario.family, scenario.concurrency);
  const latencies = skewLatencies(scenario);
  const oracle = hooks.oracle ?? (await runSkewOracle(scenario));
  await using engine = new Engine(skewEngineOptions({ ...scenario, threads }));
  const signal = hooks.signal === undefined ? {} : { signal: hooks.signal };
  const warmup = Array.from({ length: scenario.concurrency * 2 }, () => ({ value: { ms: 1, family: scenario.family } }));
  for await (const record of engine.process(warmup, signal)) void record;

  const measured: number[] = [];
  const run = await measureRun<number>(engine, source(latencies, scenario.family), latencies.length, {
    ...(hooks.measuring === undefined ? {} : { measuring: hooks.measuring }),
    ...signal,
    output: (value) => measured.push(value),
  });
  const figures = summarizeSkew({
    concurrency: scenario.concurrency,
    latencies,
    measured,
    failed: run.failed,
    oracleThroughput: oracle.throughput,
    times: run.times,
  });
  return { ...scenario, threads, ...figures, oracleMeanMs: oracle.meanMs, timeline: run.timeline };
}

function* source(latencies: Float64Array, family: SkewFamily): Generator<SourceRecord<SkewMessage>> {
  for (const ms of latencies) yield { value: { ms, family }, eventTime: now() };
}
