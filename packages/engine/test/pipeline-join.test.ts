import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BranchFailedError, Pipeline, TransformError } from '../src/index.js';
import type { PipelineAck, PipelineRecord, PipelineTrace } from '../src/index.js';
import { seededRandom } from '../src/workload/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import type { TestTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

// A parallel stage's join runs only once all of its branches are in (and
// gets `{ [branch]: value }`); a branch that fails for good fails the
// message, naming the branch, and its join never runs. Branches are held by
// gates in shared memory (fixtures/pipeline/branch.js) that the test opens
// one at a time; the join (fixtures/pipeline/join-check.js) records how many
// branches had come in when it started.

const BRANCHES = ['x', 'y', 'z'] as const;

/**
 * The shared memory of branch.js and join-check.js, in Int32 slots:
 *
 *   [0] messages M   [1] branches B
 *   [2 + i*B + b]            gate of message i at branch b (0 closed, 1 open)
 *   [2 + M*B + i]            branches that came in for message i
 *   [2 + M*B + M + i]        join runs of message i
 */
class JoinGates {
  readonly sab: SharedArrayBuffer;
  readonly #view: Int32Array;
  readonly #messages: number;

  constructor(messages: number) {
    this.#messages = messages;
    this.sab = new SharedArrayBuffer(4 * (2 + messages * BRANCHES.length + 2 * messages));
    this.#view = new Int32Array(this.sab);
    this.#view[0] = messages;
    this.#view[1] = BRANCHES.length;
  }

  open(index: number, branch: number): void {
    const slot = 2 + index * BRANCHES.length + branch;
    Atomics.store(this.#view, slot, 1);
    Atomics.notify(this.#view, slot);
  }

  openAll(): void {
    for (let i = 0; i < this.#messages; i++) for (let b = 0; b < BRANCHES.length; b++) this.open(i, b);
  }

  /** Join runs of message `index`. */
  joins(index: number): number {
    return Atomics.load(this.#view, 2 + this.#messages * BRANCHES.length + this.#messages + index);
  }
}

function joinPipeline(transport: TestTransport, gates: JoinGates, t: { after(fn: () => unknown): void }): Pipeline {
  const pipeline = new Pipeline({
    threads: 1,
    transport,
    retry: { attempts: 2, backoff: { initial: 0 } },
    stages: [
      { name: 'decode', transform: fixture('pipeline/step.js?stage=decode') },
      {
        name: 'features',
        parallel: Object.fromEntries(BRANCHES.map((branch, slot) => [branch, { transform: fixture(`pipeline/branch.js?branch=${branch}&slot=${slot}`) }])),
        join: fixture('pipeline/join-check.js'),
      },
    ],
  });
  t.after(() => {
    gates.openAll();
    return within(pipeline.close(), 'the pipeline to close');
  });
  return pipeline;
}

/** The message at the parallel stage whose source offset is `offset`. */
const atFeatures = (pipeline: Pipeline, offset: number): PipelineTrace | undefined =>
  pipeline.traces().find((trace) => trace.offset === offset && trace.stage === 'features');

forEachTransport((transport) => {
  test('a join runs only once its last branch is in, with { [branch]: value } (an array for none or several)', async (t) => {
    const messages = 4;
    const gates = new JoinGates(messages);
    const pipeline = joinPipeline(transport, gates, t);
    const acks: PipelineAck[] = [];
    pipeline.on('ack', (ack) => acks.push(ack));
    // Message 0: x gives one output, y none (drop), z two (fanOut).
    const source = Array.from({ length: messages }, (_, index) => ({ value: { sab: gates.sab, index, ...(index === 0 ? { outs: { y: 0, z: 2 } } : {}) } }));
    const records = pipeline.process(source)[Symbol.asyncIterator]();
    const taken: PipelineRecord[] = [];
    const pulling: Promise<void> = (async () => {
      for (let next = await records.next(); next.done !== true; next = await records.next()) taken.push(next.value);
    })();
    // Open the gates in a seeded random order; before a message's last branch, its join has not run.
    const random = seededRandom(0x10a1);
    const order = Array.from({ length: messages * BRANCHES.length }, (_, k) => k).sort(() => random() - 0.5);
    const opened = new Array<number>(messages).fill(0);
    for (const k of order) {
      const [index, branch] = [Math.floor(k / BRANCHES.length), k % BRANCHES.length];
      gates.open(index, branch);
      opened[index] = (opened[index] as number) + 1;
      if (opened[index] === BRANCHES.length) {
        await until(() => taken.some((record) => record.offset === index), `the output of message ${index}`);
        continue;
      }
      const name = BRANCHES[branch] as string;
      await until(
        () => atFeatures(pipeline, index)?.pending.includes(name) === false,
        `branch ${name} of message ${index} to be in`,
        () => pipeline.traces(),
      );
      const trace = atFeatures(pipeline, index) as PipelineTrace;
      assert.equal(trace.pending.length, BRANCHES.length - (opened[index]), 'the trace lists the branches not yet in');
      assert.equal(trace.joining, false);
      assert.equal(gates.joins(index), 0, `message ${index}'s join has not run with ${opened[index]} of ${BRANCHES.length} branches in`);
    }
    await within(pulling, 'the run to end');
    assert.equal(taken.length, messages);
    for (const record of taken) {
      assert.equal(record.kind, 'output');
      assert.equal(record.stage, 'features');
      const value = record.kind === 'output' ? (record.value as { index: number; saw: number; branches: Record<string, unknown> }) : undefined;
      assert.equal(value?.index, record.offset);
      assert.equal(value?.saw, BRANCHES.length, `the join of message ${record.offset} started with every branch in`);
      assert.equal(gates.joins(record.offset), 1, 'one join per message');
    }
    const first = taken.find((record) => record.offset === 0);
    assert.deepEqual(first?.kind === 'output' ? (first.value as { branches: unknown }).branches : undefined, {
      x: { branch: 'x', index: 0, copy: 0 },
      y: [],
      z: [
        { branch: 'z', index: 0, copy: 0 },
        { branch: 'z', index: 0, copy: 1 },
      ],
    });
    assert.deepEqual(acks.map((ack) => ack.offset).sort(), [0, 1, 2, 3], 'each source message is done once');
    assert.ok(acks.every((ack) => ack.outcome === 'completed' && ack.outputs === 1 && ack.failures === 0));
    assert.deepEqual(pipeline.traces(), []);
    assert.equal(pipeline.committedOffset, messages);
  });

  test('a branch that fails for good fails the message naming the branch, and its join never runs', async (t) => {
    const messages = 3;
    const gates = new JoinGates(messages);
    gates.openAll();
    const pipeline = joinPipeline(transport, gates, t);
    const acks: PipelineAck[] = [];
    pipeline.on('ack', (ack) => acks.push(ack));
    // Message 1: y fails on every try. Message 2: x and z both fail: still one failed record.
    const fail = (index: number) => (index === 1 ? { y: true } : index === 2 ? { x: true, z: true } : {});
    const source = Array.from({ length: messages }, (_, index) => ({ value: { sab: gates.sab, index, fail: fail(index) } }));
    const records: PipelineRecord[] = [];
    await within(
      (async () => {
        for await (const record of pipeline.process(source)) records.push(record);
      })(),
      'the run to end',
    );
    const failed = records.filter((record) => record.kind === 'failed');
    assert.deepEqual(failed.map((record) => record.offset).sort(), [1, 2], 'one failed record per failed message');
    for (const record of failed) {
      if (record.kind !== 'failed') continue;
      assert.equal(record.stage, 'features');
      const expected = record.offset === 1 ? ['y'] : ['x', 'z'];
      assert.ok(expected.includes(record.branch ?? ''), `message ${record.offset} names a failing branch: ${record.branch}`);
      assert.ok(record.error instanceof BranchFailedError, record.error.name);
      assert.equal(record.error.code, 'ERR_TIDEMARK_BRANCH_FAILED');
      assert.equal(record.error.stage, 'features');
      assert.equal(record.error.branch, record.branch);
      assert.match(record.error.message, new RegExp(`^stage 'features', branch '${record.branch}' failed: branch ${record.branch} fails message ${record.offset}$`));
      assert.ok(record.error.cause instanceof TransformError);
      assert.equal(record.error.cause.errorCode, 'E_BRANCH');
      assert.equal(record.attempts, 2, 'after every try');
      assert.equal(gates.joins(record.offset), 0, `message ${record.offset}'s join never ran`);
    }
    assert.deepEqual(records.filter((record) => record.kind === 'output').map((record) => record.offset), [0]);
    assert.equal(gates.joins(0), 1);
    assert.deepEqual(
      acks.map(({ offset, outcome, outputs, failures, lastStage }) => ({ offset, outcome, outputs, failures, lastStage })).sort((a, b) => a.offset - b.offset),
      [
        { offset: 0, outcome: 'completed', outputs: 1, failures: 0, lastStage: 'features' },
        { offset: 1, outcome: 'failed', outputs: 0, failures: 1, lastStage: 'features' },
        { offset: 2, outcome: 'failed', outputs: 0, failures: 1, lastStage: 'features' },
      ],
    );
    assert.deepEqual(pipeline.stats && { ...pipeline.stats, retried: undefined }, { read: 3, emitted: 1, acked: 3, failed: 2, late: 0, retried: undefined, dropped: 0, tooLate: 0 });
  });
});
