/**
 * Where a message is in the engine (DESIGN.md, "stage"), and the only moves
 * between stages there are. The tracker checks every move against this table.
 *
 *   read ─▶ queued ─▶ dispatched ─▶ completed ─▶ emitted ─▶ acked
 *    │        │  ▲        │  │  ▲        │  ▲         ▲
 *    │        │  │        │  │  │        │  │         │ (reduce: its window's
 *    │        │  │        │  │  │        ▼  │         │  result was handed over)
 *    │        │  │        │  │  │     windowed ───────┘
 *    │        │  │        │  │  │        │
 *    │        │  │        │  ▼  │        │
 *    │        │  └──────── retrying      │
 *    │        │  (requeue: never started)│
 *    ▼        ▼           ▼              ▼
 *   failed / dropped   failed         failed (rejected) / dropped
 *
 * `failed` and `dropped` end a message's path: a failed message is acked
 * once the consumer took its record (its stage stays `failed`); a dropped
 * one is acked at once. A failed record still waiting in the output buffer
 * can be dropped by `drop-oldest`.
 *
 * Since a failed message keeps its stage to the end, the tracker checks the
 * rest of its path beside this table, and refuses the same way: its record
 * is handed over once (then it is acked, never handed over again nor
 * dropped), and a message that left (acked, failed or dropped) has no move
 * left.
 *
 * Windowed reduce adds `windowed`: the message's add into its window's
 * accumulator came back, and it waits, held, until the window's result was
 * handed over. A message too late for every window it falls in goes from
 * `read` to `completed` without a try (its input is its late record).
 */
export type Stage = 'read' | 'queued' | 'dispatched' | 'retrying' | 'completed' | 'windowed' | 'emitted' | 'acked' | 'failed' | 'dropped';

/**
 * How a message ended, as the `ack` event and the metrics report it:
 * `completed` (its outputs were handed over), `failed` (its record was),
 * `dropped` (a full buffer's policy took it, no record), or `rejected` (a
 * full buffer with policy `reject`: a failed record with a `BufferFullError`).
 */
export type Outcome = 'completed' | 'failed' | 'dropped' | 'rejected';

const allowed: Readonly<Record<Stage, readonly Stage[]>> = {
  // Bad input fails at once; a full buffer's policy can shed it on arrival.
  // Too late for any window (reduce): its late record, without a try.
  read: ['queued', 'completed', 'failed', 'dropped'],
  // drop-oldest sheds the longest waiting; the transport takes the rest.
  queued: ['dispatched', 'dropped'],
  // A try ends: done, again after a backoff, failed for good, or back to the
  // queue untried (its worker died before it started).
  dispatched: ['completed', 'retrying', 'failed', 'queued'],
  retrying: ['queued'],
  // In the output buffer: handed over, or shed by the output buffer's policy.
  // Reduce: an add that came back waits in its window.
  completed: ['emitted', 'windowed', 'failed', 'dropped'],
  windowed: ['emitted'],
  emitted: ['acked'],
  failed: ['dropped'],
  acked: [],
  dropped: [],
};

const stageList = Object.keys(allowed) as Stage[];
/** Per stage, the stages a message may come to it from: one `Set.has` per move. */
const sources = Object.fromEntries(
  stageList.map((to): [Stage, ReadonlySet<Stage>] => [to, new Set(stageList.filter((from) => allowed[from].includes(to)))]),
) as Record<Stage, ReadonlySet<Stage>>;

/** Whether a message may move from stage `from` to stage `to`. */
export function mayMove(from: Stage, to: Stage): boolean {
  return sources[to].has(from);
}

/**
 * Per move the tracker makes, the stages it may start from, looked up once: the table's sources of
 * the stage it moves to, except that the table's two ways to `completed` are two moves, a try's
 * (`completed`, from `dispatched`) and a late record's (`tooLate`, from `read`).
 */
export const movesFrom: Readonly<Record<Stage | 'tooLate', ReadonlySet<Stage>>> = {
  ...sources,
  completed: new Set<Stage>(['dispatched']),
  tooLate: new Set<Stage>(['read']),
};

/** Every stage, in the table's order. */
export const stages: readonly Stage[] = stageList;

/** The allowed moves, for documentation and tests. */
export const transitions: Readonly<Record<Stage, readonly Stage[]>> = allowed;
