import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The remote benchmark's skewed transform (overhead-remote-run.ts): the value
 * is a latency in ms, drawn seeded by the host (lognormal, heavy tail), which
 * the worker awaits on a timer before it returns the value doubled. Node
 * truncates a timer to whole ms and waits at least 1, as on every contender.
 */
export default async (ms: number): Promise<number> => {
  await sleep(ms);
  return ms * 2;
};
