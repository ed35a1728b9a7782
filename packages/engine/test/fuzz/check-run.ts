import type { FailedRecord } from '../../src/index.js';
import { keyOf } from './build-items.js';
import type { Leaf } from './build-items.js';
import { judge } from './judge.js';
import type { Allowance, Ending } from './judge.js';
import type { Observation } from './observe-run.js';

// "Every offset is accounted for": the checks of one observed run.
// - each message is acked at most once, and its records are handed over
//   together (one run of consecutive records; in processChunks(), one chunk),
//   never after its ack;
// - an acked message ended as it must (judge.ts): its outputs, one failed
//   record, or dropped by a buffer that drops;
// - the committed offset never passes a message that was not acked;
// - a message whose records were handed over is acked, but for the last
//   record (or chunk) of a consumer that left;
// - a run that was not left (it ended, or was aborted or closed) handed
//   over every message it read: the acked offsets are exactly those below
//   the committed offset, and with `readAll` that is every message given.

export interface RunShape {
  /** Per partition ('' without partitions), the messages the source gives before it ends (or stops): a whole run's committed offset. */
  readonly readAll: ReadonlyMap<string, number> | undefined;
  /** Every message read must have been handed over (the consumer did not leave). */
  readonly whole: boolean;
  /** processChunks(): a message's records come in one chunk. */
  readonly chunked: boolean;
}

type Entry = { records: Observation['handed']; first: number; last: number };

export function checkRun(leaves: readonly Leaf[], seen: Observation, allowance: Allowance, shape: RunShape): string[] {
  const problems = [...seen.problems];
  const byKey = new Map(leaves.map((leaf) => [keyOf(leaf.partition, leaf.offset), leaf]));
  const handed = new Map<string, Entry>();
  seen.handed.forEach((one, at) => {
    const key = keyOf(one.record.partition, one.record.offset);
    const entry = handed.get(key) ?? { records: [], first: at, last: at };
    entry.records.push(one);
    entry.last = at;
    handed.set(key, entry);
  });
  for (const [key, entry] of handed) {
    if (!byKey.has(key)) problems.push(`a record of ${key}, which no message has`);
    if (entry.last - entry.first + 1 !== entry.records.length) problems.push(`the records of ${key} were not handed over together`);
    if (shape.chunked && new Set(entry.records.map((one) => one.chunk)).size > 1) problems.push(`the records of ${key} came in several chunks`);
  }
  for (const [key, traces] of seen.acks) {
    if (!byKey.has(key)) problems.push(`an ack of ${key}, which no message has`);
    if (traces.length > 1) problems.push(`${key} acked ${traces.length} times`);
  }
  for (const [key, traces] of seen.acks) {
    const leaf = byKey.get(key);
    const trace = traces[0];
    if (leaf === undefined || trace === undefined) continue;
    const records = handed.get(key)?.records.map((one) => one.record) ?? [];
    const failed = records.filter((record): record is FailedRecord => record.kind === 'failed');
    let ending: Ending;
    if (trace.outcome === 'dropped') {
      if (records.length > 0) problems.push(`${key}: dropped, yet ${records.length} record(s) handed over`);
      ending = { kind: 'dropped' };
    } else if (trace.outcome === 'failed' || trace.outcome === 'rejected') {
      if (records.length !== 1 || failed.length !== 1) {
        problems.push(`${key}: ${trace.outcome}, with ${failed.length} failed and ${records.length - failed.length} output record(s)`);
        continue;
      }
      ending = { kind: 'failed', record: failed[0] as FailedRecord };
    } else {
      if (failed.length > 0) problems.push(`${key}: completed, yet a failed record was handed over`);
      ending = { kind: 'completed', values: records.map((record) => (record.kind === 'output' ? record.value : undefined)) };
    }
    const why = judge(leaf, ending, allowance);
    if (why !== undefined) problems.push(`${key} (${describeLeaf(leaf)}): ${why}`);
  }
  const committedOf = (leaf: Leaf): number => seen.committed.get(leaf.partition ?? '') ?? 0;
  for (const leaf of leaves) {
    const key = keyOf(leaf.partition, leaf.offset);
    if (leaf.offset < committedOf(leaf) && !seen.acks.has(key)) problems.push(`the committed offset ${committedOf(leaf)} passed ${key}, which was never acked`);
  }
  // A consumer that left may leave its last record's message (its last chunk's, in chunks) unacked.
  const last = seen.handed.at(-1);
  for (const [key, entry] of handed) {
    if (seen.acks.has(key)) continue;
    const inLast = shape.chunked ? entry.records.every((one) => one.chunk === last?.chunk) : last !== undefined && key === keyOf(last.record.partition, last.record.offset);
    if (!(seen.ended.how === 'left' && inLast)) problems.push(`${key}: ${entry.records.length} record(s) handed over, never acked`);
  }
  if (shape.whole) {
    const beyond = leaves.filter((leaf) => leaf.offset >= committedOf(leaf) && seen.acks.has(keyOf(leaf.partition, leaf.offset)));
    if (beyond.length > 0) problems.push(`acked beyond the committed offset: ${beyond.slice(0, 5).map((leaf) => keyOf(leaf.partition, leaf.offset)).join(', ')}`);
    if (seen.inFlight !== 0) problems.push(`${seen.inFlight} message(s) still in flight after the run ended`);
    if (shape.readAll !== undefined) {
      let total = 0;
      for (const [partition, count] of shape.readAll) {
        total += count;
        const committed = seen.committed.get(partition) ?? 0;
        if (committed !== count) problems.push(`the committed offset${partition === '' ? '' : ` of ${partition}`} is ${committed}, not ${count} (every message given)`);
      }
      if (seen.stats !== undefined && (seen.stats.read !== total || seen.stats.acked !== total)) {
        problems.push(`stats read ${seen.stats.read} and acked ${seen.stats.acked}, not ${total}`);
      }
    }
  }
  return problems;
}

/** The leaf, short, for a report. */
export function describeLeaf(leaf: Leaf): string {
  const spec = leaf.spec;
  if (spec.kind === 'good' || spec.kind === 'throwing-trap') {
    const { op, data, bare } = spec.value;
    const what = `${op.fz}${Object.entries(op).filter(([key]) => key !== 'fz').map(([key, value]) => ` ${key}=${String(value)}`).join('')}`;
    const payload = data.kind === 'special' ? `special ${data.name}${data.nested ? ' nested' : ''}` : data.kind;
    return `${spec.kind === 'throwing-trap' ? `trap ${spec.trap} ` : ''}${what} on ${bare ? 'bare ' : ''}${payload}`;
  }
  if (spec.kind === 'bad-field') return `bad ${spec.field}`;
  if (spec.kind === 'throwing-getter') return `throwing ${spec.field} getter`;
  if (spec.kind === 'source-error') return `source error ${spec.error}`;
  return spec.kind;
}
