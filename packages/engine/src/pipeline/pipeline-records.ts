import type { PartitionId } from '@tidemark/watermark';
import { BranchFailedError } from '../errors.js';
import type { FailedRecord, Output } from '../message.js';
import type { MessageTrace } from '../run/message-state.js';
import { now } from '../run/message-state.js';
import type { Family } from './ledger.js';

/**
 * An output of a pipeline: an output of its last stage, with the source
 * message's `offset`, `key`, `eventTime` and `partition` (a reduce stage's
 * result keeps its own `key`, `window` and `eventTime`), and `stage`, the
 * name of the stage that produced it.
 */
export type PipelineOutput<T = unknown> = Output<T> & { readonly stage: string };

/**
 * A source message (or one of the messages it became) that failed for good
 * in stage `stage`; in a parallel stage's branch, `branch` names it and
 * `error` is a {@link BranchFailedError} whose `cause` is the branch's error.
 * `input` is the value the stage was given.
 */
export type PipelineFailedRecord = FailedRecord & { readonly stage: string; readonly branch?: string };

/** What `pipeline.process()` yields. */
export type PipelineRecord<T = unknown> = PipelineOutput<T> | PipelineFailedRecord;

/**
 * A source message's final state, as the pipeline's `ack` event gives it:
 * the first stage's trace of it (times, attempts, watermark) with the
 * pipeline's outcome: `failed` when any of its records was a failed one,
 * `dropped` when a full buffer's drop policy took it and nothing came out,
 * else `completed` (with no outputs when a transform dropped it).
 */
export interface PipelineAck extends MessageTrace {
  /** Outputs of the last stage handed over for it. */
  readonly outputs: number;
  /** Failed records handed over for it. */
  readonly failures: number;
  /** Its messages that ended without a record (a transform's `drop()`, a drop policy, a branch that dropped it). */
  readonly drops: number;
  /** Its messages a reduce stage took into a window result that carries another message's offset. */
  readonly reduced: number;
  /** The name of the furthest stage it reached. */
  readonly lastStage: string;
}

/** A pipeline output of `family`: `value` from stage `stage`. */
export function outputOf<T>(family: Family, value: T, stage: string): PipelineOutput<T> {
  const { offset, key, eventTime, partition } = family;
  const record: PipelineOutput<T> =
    partition === undefined ? { kind: 'output', offset, key, eventTime, value, stage } : { kind: 'output', offset, key, eventTime, value, partition, stage };
  return family.late ? { ...record, late: true } : record;
}

/** A reduce stage's record (a window result, or a late message) with `family`'s offset and partition. */
export function reducedOf<T>(record: Output<T>, family: Family, stage: string): PipelineOutput<T> {
  return withPartition({ ...record, offset: family.offset, stage }, family.partition);
}

/** `record` (a failed record of stage `stage`, of `family`), as the pipeline's; `branch` wraps its error in a {@link BranchFailedError}. */
export function failedOf(family: Family, record: FailedRecord, stage: string, branch?: string): PipelineFailedRecord {
  const { offset, key, eventTime, partition } = family;
  const error = branch === undefined ? record.error : new BranchFailedError(stage, branch, record.error);
  const window = record.window;
  const base = { kind: 'failed' as const, offset, key, eventTime, input: record.input, error, attempts: record.attempts, stage, ...(window === undefined ? {} : { window }) };
  const failed: PipelineFailedRecord = withPartition(branch === undefined ? base : { ...base, branch }, partition);
  return family.late ? { ...failed, late: true } : failed;
}

/** `family`'s final state for the `ack` event; `stages` names the stages by index. */
export function ackOf(family: Family, stages: readonly string[]): PipelineAck {
  const head = family.head as MessageTrace;
  const { outputs, failures, drops, reduced, overflow } = family;
  const outcome = failures > 0 ? 'failed' : outputs + reduced === 0 && overflow !== undefined ? 'dropped' : 'completed';
  return {
    ...head,
    stage: outcome === 'completed' ? 'acked' : outcome,
    outcome,
    overflow,
    ackedAt: now(),
    outputs,
    failures,
    drops,
    reduced,
    lastStage: stages[family.stage] ?? '',
  };
}

function withPartition<T extends object>(record: T, partition: PartitionId | undefined): T {
  return partition === undefined ? record : { ...record, partition };
}

/**
 * Where one in-flight message of a pipeline is: a source message in the
 * first stage (`id` undefined; `engine` is that engine's trace), or one of
 * the messages it became in a later stage.
 */
export interface PipelineTrace {
  /** The source message's offset, partition, key and event time. */
  readonly offset: number;
  readonly partition: PartitionId | undefined;
  readonly key: string | undefined;
  readonly eventTime: number;
  /** The stage's name. */
  readonly stage: string;
  /** Its offset in its stage's engines; undefined in the first stage. */
  readonly id: number | undefined;
  /** In a parallel stage: the branches it still waits for (its pending dependencies); empty elsewhere. */
  readonly pending: readonly string[];
  /** In a parallel stage: all branches are in and the join has it. */
  readonly joining: boolean;
  /** In a parallel stage: the branch that failed it (its join will not run). */
  readonly failedBranch: string | undefined;
  /** The first stage's engine's trace of it (first stage only). */
  readonly engine: MessageTrace | undefined;
}
