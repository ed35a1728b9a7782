import type { RunFigures } from '../measure/run-summary.js';

/**
 * Acks per slot the steady-state window (first read to last read) must hold
 * for `msg/s` to be shown. Fewer, and the figure rests on a few turns of the
 * slots; a short input that the engine reads ahead of its workers almost at
 * once leaves the window nearly empty (0 msg/s for a run that moved every
 * message). Async's window also ends some `4 × concurrency` messages before
 * the end (what is read ahead and buffered) and batch's at its last batch
 * start, so on a short input the two cover different shares of the run.
 */
export const acksPerSlot = 10;

/**
 * Whether a run's steady-state figures (msg/s, worker busy share,
 * efficiency) rest on enough acks to be shown; figures that do not say how
 * many acks their window held are taken as they are.
 */
export function steadyShown(run: Pick<RunFigures, 'steadyAcked'> & { readonly concurrency: number }): boolean {
  return run.steadyAcked === undefined || run.steadyAcked >= acksPerSlot * run.concurrency;
}

/** The threshold as the CLI prints it under the table and the report states it. */
export const steadyRule =
  `msg/s is shown where its window (first read to last read) holds at least ${acksPerSlot} acks per slot (${acksPerSlot} × concurrency), else –, ` +
  'and so are worker busy share, efficiency and async/batch, which rest on the same window; ' +
  'wall msg/s counts every message, from the first read to the end of the run';

/** `a / b`, or NaN when either is not a figure or `b` is not above 0. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : Number.NaN;
}
