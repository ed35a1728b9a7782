/** Counters of one `process()` run. */
export interface RunStats {
  read: number;
  emitted: number;
  acked: number;
  failed: number;
  late: number;
  retried: number;
  /** Messages dropped by a buffer's overflow policy (acked without outputs). */
  dropped: number;
  /** Windowed reduce: messages later than the allowed lateness (late records, in no window). */
  tooLate: number;
}

/** Counters at zero. */
export function emptyStats(): RunStats {
  return { read: 0, emitted: 0, acked: 0, failed: 0, late: 0, retried: 0, dropped: 0, tooLate: 0 };
}

/** Add `from`'s counters into `into`. */
export function addStats(into: RunStats, from: Readonly<RunStats>): RunStats {
  for (const key of Object.keys(into) as (keyof RunStats)[]) into[key] += from[key];
  return into;
}
