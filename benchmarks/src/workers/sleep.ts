import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The await-bound transform of `pnpm bench:brain` (no capacity limit, and
 * the priority scenario's): it waits `ms` on a timer, spending no CPU, and
 * returns `ms`.
 */
export default async ({ ms }: { ms: number }): Promise<number> => {
  await sleep(ms);
  return ms;
};
