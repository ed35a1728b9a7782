import { isDeepStrictEqual } from 'node:util';
import type { FailedRecord } from '../../src/index.js';
import type { Leaf } from './build-items.js';

// Whether one message ended as it must: its outputs (or none), or one
// failed record of the right kind, or dropped by a buffer's policy.

/** How a message ended, from its ack and the records handed over for it. */
export type Ending =
  | { kind: 'completed'; values: unknown[] }
  | { kind: 'failed'; record: FailedRecord }
  | { kind: 'dropped' };

/** What the options allow besides each message's own fate. */
export interface Allowance {
  /** `retry.attempts` */
  readonly attempts: number;
  /** A try may time out (0 < timeout < 1e6). */
  readonly timeouts: boolean;
  /** A buffer drops messages (drop-oldest, drop-newest). */
  readonly drops: boolean;
  /** A buffer rejects messages (BufferFullError). */
  readonly rejects: boolean;
  /**
   * A worker death fails a try of every message it held: over the task
   * transport when a transform exits or spins; over either when one throws
   * after its message ended (the worker dies with other messages started).
   */
  readonly collateral: boolean;
  /** Any message may fail (an option at the edge of its range). */
  readonly anyFailure: boolean;
}

const describe = (value: unknown): string => {
  try {
    const text = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : String(JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
    return text.length > 160 ? `${text.slice(0, 160)}…` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
};

const errorText = (record: FailedRecord): string => {
  const e = record.error as FailedRecord['error'] & { errorName?: string; errorCode?: string };
  return `${e.name}(${e.code}${e.errorName === undefined ? '' : `, ${e.errorName}/${e.errorCode ?? '-'}`}): ${String(e.message).slice(0, 120)} [attempts ${record.attempts}]`;
};

const isTransformError = (record: FailedRecord): boolean => record.error.code === 'ERR_TIDEMARK_TRANSFORM';
const isTimeout = (record: FailedRecord): boolean => isTransformError(record) && (record.error as { errorName?: string }).errorName === 'TimeoutError';
const isBufferFull = (record: FailedRecord): boolean => record.error.code === 'ERR_TIDEMARK_BUFFER_FULL';

/** How deep `value` is nested (`{ o: … }` or `[…]`), walked without recursion. */
function depthOf(value: unknown): number {
  let depth = 0;
  for (let at = value; typeof at === 'object' && at !== null; at = Array.isArray(at) ? at[0] : (at as { o?: unknown }).o) depth++;
  return depth;
}

/** Whether `output` is `input` given back (a Buffer comes back a Buffer over either transport: README, Transports). */
function same(output: unknown, input: unknown): boolean {
  return isDeepStrictEqual(output, input);
}

/** Why `ending` is not an ending `leaf` may have, or undefined when it is. */
export function judge(leaf: Leaf, ending: Ending, allowance: Allowance): string | undefined {
  const { expect } = leaf;
  if (ending.kind === 'dropped') return allowance.drops ? undefined : 'dropped, with no buffer that drops';
  if (ending.kind === 'failed') {
    const record = ending.record;
    if (allowance.anyFailure) return undefined;
    if (isBufferFull(record)) return allowance.rejects ? undefined : `rejected with no buffer that rejects: ${errorText(record)}`;
    if (isTimeout(record) && allowance.timeouts) return undefined;
    // What a worker's death fails a try with is whatever killed it.
    if (isTransformError(record) && allowance.collateral) return undefined;
  }
  const failed = ending.kind === 'failed' ? ending.record : undefined;
  const values = ending.kind === 'completed' ? ending.values : undefined;
  const A = allowance.attempts;
  switch (expect.kind) {
    case 'invalid': {
      let why: string | undefined;
      if (failed === undefined) why = `a bad item came out as ${describe(values)}, not a failed record`;
      else if (failed.error.code !== expect.code || failed.attempts !== 0) why = `a bad item failed with ${errorText(failed)}, not ${expect.code} with 0 attempts`;
      if (why === undefined || expect.or === undefined) return why;
      return judge({ ...leaf, expect: expect.or }, ending, allowance) === undefined ? undefined : why;
    }
    case 'uncloneable':
      return failed === undefined ? `a value that cannot be cloned came out: ${describe(values)}` : undefined;
    case 'deep': {
      if (failed !== undefined) return undefined;
      const value = values?.[0];
      const depth = depthOf(expect.wrapped ? (value as { data?: unknown } | undefined)?.data : value) - 1;
      return values?.length === 1 && depth === expect.depth ? undefined : `a value nested ${expect.depth} deep came out as ${values?.length} output(s) nested ${depth}`;
    }
    case 'op':
      break;
  }
  const { op, input } = expect;
  const fail = (wanted: string, ok: (record: FailedRecord) => boolean): string | undefined => {
    if (failed === undefined) return `op ${op.fz} came out as ${describe(values)}, not ${wanted}`;
    if (!ok(failed) || failed.attempts !== A) return `op ${op.fz} failed with ${errorText(failed)}, not ${wanted} after ${A} tries`;
    return undefined;
  };
  const outputs = (wanted: unknown[]): string | undefined => {
    if (failed !== undefined) return `op ${op.fz} failed with ${errorText(failed)}, not ${wanted.length} output(s)`;
    const ok = values?.length === wanted.length && wanted.every((value, i) => same(values[i], value));
    return ok ? undefined : `op ${op.fz} came out as ${describe(values)}, not ${describe(wanted)}`;
  };
  const n = typeof input === 'object' && input !== null ? (input as { n?: number }).n : undefined;
  switch (op.fz) {
    case 'ok':
    case 'async':
    case 'poison':
    case 'busy':
      return outputs([input]);
    case 'late-throw':
      // Its worker dies after the message ended, maybe before its result left: then every try fails.
      if (failed !== undefined) return fail('a worker death', isTransformError);
      return outputs([input]);
    case 'echo': {
      if (failed !== undefined) return outputs([]);
      const out = values?.[0] as { n?: number; offset?: number; key?: string; attempt?: number } | undefined;
      if (values?.length !== 1 || out?.n !== n || out?.offset !== leaf.offset || out?.key !== expect.key) {
        return `echo of offset ${leaf.offset} (key ${describe(expect.key)}) came out as ${describe(values)}`;
      }
      return undefined;
    }
    case 'throw':
    case 'spin':
    case 'exit':
      if (op.failTries < A) return outputs([input]);
      if (op.fz === 'throw') return fail('E_FUZZ', (r) => isTransformError(r) && (r.error as { errorCode?: string }).errorCode === 'E_FUZZ');
      return fail(op.fz === 'spin' ? 'a TimeoutError' : 'a worker death', op.fz === 'spin' ? isTimeout : isTransformError);
    case 'throw-odd':
    case 'uncloneable-output':
      return fail('a TransformError', isTransformError);
    case 'hang':
      return fail('a TimeoutError', isTimeout);
    case 'drop':
      return outputs([]);
    case 'fanout':
      return outputs(Array.from({ length: op.parts }, (_, part) => ({ n, part })));
    case 'deep-output': {
      if (failed !== undefined) return undefined;
      const depth = depthOf(values?.[0]) - 1;
      return values?.length === 1 && depth === op.depth ? undefined : `deep-output ${op.depth} came out as ${values?.length} output(s) nested ${depth}`;
    }
    case 'big-output':
      if (failed !== undefined) return outputs([]);
      return values?.length === 1 && typeof values[0] === 'string' && values[0].length === op.length ? undefined : `big-output ${op.length} came out wrong`;
  }
}
