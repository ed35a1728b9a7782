import { TransformError } from '../../src/index.js';
import type { TidemarkError } from '../../src/index.js';

/** A message of a chaos plan: its number, how long its transform awaits, and the fault it may have (on every try when `always`). */
export interface ChaosValue<F extends string> {
  n: number;
  delay: number;
  fault?: F;
  always?: true;
}

/**
 * Message `n` of a chaos plan, drawn from `random`: 40% return at once (a
 * sync transform), the others await 0 to 2 ms; a fault per `odds`
 * ([fault, every try, p], tried in order), or none.
 */
export function chaosValue<F extends string>(n: number, random: () => number, odds: readonly (readonly [F, boolean, number])[]): ChaosValue<F> {
  const value: ChaosValue<F> = { n, delay: random() < 0.4 ? 0 : Math.floor(random() * 3) };
  let r = random();
  for (const [fault, always, p] of odds) {
    if (r < p) {
      value.fault = fault;
      if (always) value.always = true;
      break;
    }
    r -= p;
  }
  return value;
}

/*
 * The worker chaos of the engine's chaos tests (chaos.test.ts, one engine;
 * pipeline-chaos.test.ts, every stage of a pipeline). What a try of a
 * transform does is a `ChaosValue<WorkerFault>` (a pipeline message carries
 * one per stage) and fixtures/chaos-fault.js does it:
 *   'throw' — throws (or, with a delay, rejects) an Error with code 'E_CHAOS';
 *   'async' — never settles until its try times out (`chaosEngine.timeout`);
 *   'sync'  — spins in sync code until its worker is replaced for being stuck;
 *   'exit'  — process.exit(CHAOS_EXIT_CODE);
 *   'heap'  — allocates until the worker dies at its heap limit (`chaosEngine.resourceLimits`).
 * The first two cost a slot, the last three kill their worker (a restart per try).
 */
export type WorkerFault = 'throw' | 'async' | 'sync' | 'exit' | 'heap';

/** The faults that cost a slot, not a worker, with their odds per message (per stage, in a pipeline): [fault, every try, p]. */
export const slotOdds: readonly (readonly [WorkerFault, boolean, number])[] = [
  ['throw', false, 0.015],
  ['throw', true, 0.003],
  ['async', false, 0.0025],
  ['async', true, 0.0005],
];

/** Engine options the chaos needs: its tries, its timeout, its heap limit. */
export const chaosEngine = {
  retry: { attempts: 3, backoff: { initial: 0, max: 5 } },
  // Far above what a try takes here, even on a loaded 2-core machine: at 200 ms a heap death that took
  // longer under load was taken for a stuck worker (a TimeoutError, an extra restart, a bystander charged).
  timeout: 1000,
  resourceLimits: { maxOldGenerationSizeMb: 32 },
} as const;
export const CHAOS_ATTEMPTS = chaosEngine.retry.attempts;
/** What fixtures/chaos-fault.js passes to process.exit. */
export const CHAOS_EXIT_CODE = 71;
const TIMEOUT_CODE = 'ERR_TIDEMARK_TIMEOUT';
const OOM_CODE = 'ERR_WORKER_OUT_OF_MEMORY';

/** Whether `fault` kills the worker its try runs on. */
export const killsWorker = (fault: WorkerFault | undefined): boolean => fault === 'exit' || fault === 'heap' || fault === 'sync';

/** Tries of `step` that kill a worker when it runs: one for a first-try fault, every try for poison. */
export const killingTries = (step: { fault?: WorkerFault; always?: true }): number => (killsWorker(step.fault) ? (step.always ? CHAOS_ATTEMPTS : 1) : 0);

/**
 * Put `count` faults `fault` (on every try when `always`) for each of
 * `counts` on steps drawn from `pick` (random) that `free` allows, marking
 * each one taken. The worker-killing faults go this way, in exact numbers.
 */
export function placeFaults<S extends { fault?: WorkerFault; always?: true }>(
  counts: readonly (readonly [WorkerFault, boolean, number])[],
  pick: () => S,
  free: (step: S) => boolean,
): void {
  for (const [fault, always, count] of counts) {
    for (let placed = 0; placed < count; ) {
      const step = pick();
      if (!free(step)) continue;
      step.fault = fault;
      if (always) step.always = true;
      placed++;
    }
  }
}

/** Whether `error` is what a try with `fault` fails with (the try that ran it, or the last of a poison message). */
export function ownError(fault: WorkerFault | undefined, error: TidemarkError): boolean {
  if (!(error instanceof TransformError)) return false;
  switch (fault) {
    case 'throw':
      return error.errorCode === 'E_CHAOS';
    case 'async':
    case 'sync':
      return error.errorCode === TIMEOUT_CODE;
    case 'exit':
      return error.message.includes(`exited with code: ${CHAOS_EXIT_CODE}`);
    case 'heap':
      return error.errorCode === OOM_CODE;
    default:
      return false;
  }
}

/** A failure the chaos explains for any message on the same worker: its death or its being stuck. */
export const bystanderError = (error: TidemarkError): boolean =>
  error instanceof TransformError &&
  (error.errorCode === TIMEOUT_CODE || error.errorCode === OOM_CODE || error.message.includes(`exited with code: ${CHAOS_EXIT_CODE}`));

/** `tidemark_worker_restarts_total` in a Prometheus scrape, over every sample (a pipeline has one per stage engine); NaN when absent. */
export function restartsIn(scrape: string): number {
  const samples = [...scrape.matchAll(/^tidemark_worker_restarts_total(?:\{[^}]*\})? (\d+)$/gm)].map((match) => Number(match[1]));
  return samples.length === 0 ? Number.NaN : samples.reduce((sum, value) => sum + value, 0);
}
