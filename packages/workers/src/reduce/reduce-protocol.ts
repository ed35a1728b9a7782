/**
 * The windowed reduce's wire format: what the main thread sends the reduce
 * runner (reduce-runner.ts) as a message's input, and what the runner gives
 * back as its one output. Both ends are here; plain data only (it crosses
 * threads by structured clone).
 *
 * A window's state lives in *parts*, one per (key, window) on the worker the
 * key's affinity picks: `add` folds a value into each of its parts, `result`
 * merges the listed parts into the window's result and forgets them. The
 * main thread lists each part with the number of adds it saw complete;
 * a part the worker does not hold, or holds with another count (its worker
 * was replaced, an add ran twice after a lost completion), makes the runner
 * answer `missing`, and the main thread sends the result again with the
 * window's `values`, which the runner reduces from scratch.
 */

/** The field that marks a reduce op and a reduce reply: `{ [REDUCE_OP]: 'add' | 'result' | 'missing', … }`. */
export const REDUCE_OP = '__tidemarkReduce';

/** An event-time window: `start` inclusive, `end` exclusive (ms). */
export interface ReduceWindow {
  readonly start: number;
  readonly end: number;
}

/** Names a part among its key's parts (the runner holds parts by key and id). */
export type ReducePartId = number | string;

/** Fold `value` into each part, in this order (several for sliding windows). Its output: none. */
export interface ReduceAddOp {
  readonly [REDUCE_OP]: 'add';
  /**
   * The message's id. A part folds a message in once: an add that comes
   * again for a message the part already holds (a retry after a completion
   * was lost) is skipped there, so a retried add never counts twice.
   */
  readonly message?: number;
  readonly parts: readonly (ReduceWindow & { readonly id: ReducePartId })[];
  readonly value: unknown;
}

/**
 * Emit `window`'s result from `parts` (several for a session window made of
 * merged sessions), each with the adds the main thread saw complete; or,
 * with `values`, from those values alone (a recompute). Its output: a
 * {@link ReduceReply}.
 */
export interface ReduceResultOp {
  readonly [REDUCE_OP]: 'result';
  readonly window: ReduceWindow;
  /** Each part with the adds the main thread saw complete and, when given, exactly which messages they were (checked as a set). */
  readonly parts: readonly { readonly id: ReducePartId; readonly count: number; readonly members?: readonly number[] }[];
  readonly values?: readonly unknown[];
}

export type ReduceOp = ReduceAddOp | ReduceResultOp;

/** The output of a result op: the window's result, or `missing` (send it again with `values`). */
export type ReduceReply = { readonly [REDUCE_OP]: 'result'; readonly value: unknown } | { readonly [REDUCE_OP]: 'missing' };

/** The reply of a result op made with the parts' state, or from `values`. */
export function reduceResultReply(value: unknown): ReduceReply {
  return { [REDUCE_OP]: 'result', value };
}

/** The reply of a result op whose parts are not all there with their counts. */
export const REDUCE_MISSING: ReduceReply = Object.freeze({ [REDUCE_OP]: 'missing' });

/** `value` as a {@link ReduceReply}, or undefined when it is none (for the main thread, on a result op's output). */
export function asReduceReply(value: unknown): ReduceReply | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const kind = (value as Record<string, unknown>)[REDUCE_OP];
  if (kind === 'missing') return REDUCE_MISSING;
  if (kind === 'result' && 'value' in value) return value as ReduceReply;
  return undefined;
}

/**
 * `input` checked as a {@link ReduceOp}.
 * @throws {TypeError} naming what is wrong, when it is not one.
 */
export function parseReduceOp(input: unknown): ReduceOp {
  if (typeof input !== 'object' || input === null) throw notAnOp(`got ${describe(input)}`);
  const fields = input as Record<string, unknown>;
  const kind = fields[REDUCE_OP];
  if (kind === 'add') {
    const parts = partList(fields.parts, 'add');
    parts.forEach((part, i) => windowOf(part, `parts[${i}]`));
    if (parts.length === 0) throw notAnOp('an add op lists no parts');
    if (fields.message !== undefined && !Number.isFinite(fields.message)) throw notAnOp(`message must be a finite number, got ${describe(fields.message)}`);
    return input as ReduceAddOp;
  }
  if (kind === 'result') {
    windowOf(fields.window, 'window');
    const parts = partList(fields.parts, 'result');
    parts.forEach((part, i) => {
      if (!(Number.isSafeInteger(part.count) && (part.count as number) >= 0)) {
        throw notAnOp(`parts[${i}].count must be an integer from 0 up, got ${describe(part.count)}`);
      }
      if (part.members !== undefined && !(Array.isArray(part.members) && part.members.length === part.count)) {
        throw notAnOp(`parts[${i}].members must be an array of parts[${i}].count message ids, got ${describe(part.members)}`);
      }
    });
    if (fields.values !== undefined && !Array.isArray(fields.values)) throw notAnOp(`values must be an array, got ${describe(fields.values)}`);
    if (fields.values === undefined && parts.length === 0) throw notAnOp('a result op without values lists no parts');
    return input as ReduceResultOp;
  }
  throw notAnOp(`its ${REDUCE_OP} field must be 'add' or 'result', got ${describe(kind)}`);
}

function partList(parts: unknown, kind: string): Record<string, unknown>[] {
  if (!Array.isArray(parts)) throw notAnOp(`${kind === 'add' ? 'an' : 'a'} ${kind} op's parts must be an array, got ${describe(parts)}`);
  const ids = new Set<unknown>();
  return parts.map((part, i) => {
    if (typeof part !== 'object' || part === null) throw notAnOp(`parts[${i}] must be an object, got ${describe(part)}`);
    const { id } = part as Record<string, unknown>;
    if (!(typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)))) {
      throw notAnOp(`parts[${i}].id must be a string or a finite number, got ${describe(id)}`);
    }
    if (ids.has(id)) throw notAnOp(`parts[${i}].id ${describe(id)} is listed twice`);
    ids.add(id);
    return part as Record<string, unknown>;
  });
}

function windowOf(window: unknown, where: string): void {
  const { start, end } = (typeof window === 'object' && window !== null ? window : {}) as Record<string, unknown>;
  if (!(typeof start === 'number' && typeof end === 'number' && Number.isFinite(start) && Number.isFinite(end) && start < end)) {
    throw notAnOp(`${where} must have finite numbers start < end, got start ${describe(start)}, end ${describe(end)}`);
  }
}

function notAnOp(reason: string): TypeError {
  return new TypeError(`the reduce runner got an input that is not a reduce op: ${reason}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}' (string)`;
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return `\`${String(value)}\` (${typeof value})`;
}
