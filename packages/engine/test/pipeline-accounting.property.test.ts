import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Engine } from '../src/engine.js';
import type { SourceRecord } from '../src/message.js';
import type { Family } from '../src/pipeline/ledger.js';
import type { PipelineRecord } from '../src/pipeline/pipeline-records.js';
import { PipelineRun } from '../src/pipeline/pipeline-run.js';
import type { StageEngines } from '../src/pipeline/pipeline-run.js';
import { seededRandom } from '../src/workload/index.js';
import { FakeEngine } from './fixtures/pipeline/fake-engine.js';
import type { FakeResult } from './fixtures/pipeline/fake-engine.js';
import { within } from './helpers/wait.js';

// A pipeline run over stand-in engines (no workers: fixtures/pipeline/fake-engine.ts)
// of random shapes (a transform stage, then transform or parallel stages of 1 to
// 3 branches), random transforms (0, 1 or 2 outputs, or a failure, per stage and
// message) and random completion orders, against a model that follows each
// source message through the stages: every source message is done exactly once,
// with the records the model says; a join never reads a message before every
// branch acked it; a parallel stage never holds more than its `maxPending`.

/** What a part (a stage, a branch or a join) does with the messages of source message n: `acts[n % acts.length]`. */
type Act = { readonly out: number } | { readonly fail: true };
type PartActs = readonly Act[];
type Shape =
  | { readonly kind: 'transform'; readonly acts: PartActs; readonly capacity: number }
  | { readonly kind: 'parallel'; readonly branches: readonly { readonly acts: PartActs; readonly capacity: number }[]; readonly join: PartActs; readonly maxPending: number };

const act: fc.Arbitrary<Act> = fc.constantFrom<Act>({ out: 1 }, { out: 1 }, { out: 1 }, { out: 0 }, { out: 2 }, { fail: true });
const acts = fc.array(act, { minLength: 1, maxLength: 4 });
const capacity = fc.integer({ min: 1, max: 3 });
const transformStage: fc.Arbitrary<Shape> = fc.record({ kind: fc.constant('transform' as const), acts, capacity });
const parallelStage: fc.Arbitrary<Shape> = fc.record({
  kind: fc.constant('parallel' as const),
  branches: fc.array(fc.record({ acts, capacity }), { minLength: 1, maxLength: 3 }),
  join: acts,
  maxPending: fc.integer({ min: 1, max: 4 }),
});
const shapes = fc.tuple(transformStage, fc.array(fc.oneof(transformStage, parallelStage), { maxLength: 2 })).map(([first, rest]) => [first, ...rest]);

const actOf = (part: PartActs, n: number): Act => part[n % part.length] as Act;

/** What the model expects of source message n. */
interface Expected {
  outputs: number;
  failures: number;
  drops: number;
  /** Per failing stage (and branch set), failed records. */
  failedAt: string[];
}

function model(shape: readonly Shape[], n: number): Expected {
  const expected: Expected = { outputs: 0, failures: 0, drops: 0, failedAt: [] };
  let copies = 1;
  shape.forEach((stage, index) => {
    if (copies === 0) return;
    let step: Act;
    if (stage.kind === 'parallel') {
      const failing = stage.branches.flatMap((branch, at) => ('fail' in actOf(branch.acts, n) ? [`b${at}`] : []));
      if (failing.length > 0) {
        expected.failures += copies;
        for (let c = 0; c < copies; c++) expected.failedAt.push(`s${index}/${failing.join('|')}`);
        copies = 0;
        return;
      }
      step = actOf(stage.join, n);
    } else {
      step = actOf(stage.acts, n);
    }
    if ('fail' in step) {
      expected.failures += copies;
      for (let c = 0; c < copies; c++) expected.failedAt.push(`s${index}`);
      copies = 0;
    } else {
      if (step.out === 0) expected.drops += copies;
      copies *= step.out;
    }
  });
  expected.outputs = copies;
  return expected;
}

/** The transform of a part: `act` for the source message (its key is `m<n>`). */
function transform(part: PartActs, name: string): (value: unknown, record: SourceRecord) => FakeResult {
  return (value, record) => {
    const n = Number((record.key as string).slice(1));
    const step = actOf(part, n);
    if ('fail' in step) return { fail: `${name} fails ${n}` };
    return { outputs: Array.from({ length: step.out }, (_, copy) => ({ n, from: name, copy, input: value })) };
  };
}

interface Outcome {
  readonly done: Map<number, number>;
  /** Per source message, what its family counted when it was done. */
  readonly counted: Map<number, { outputs: number; failures: number; drops: number }>;
  readonly records: PipelineRecord[];
  readonly violations: string[];
  readonly leftOver: number;
}

async function runShape(shape: readonly Shape[], messages: number, seed: number): Promise<Outcome> {
  const random = seededRandom(seed);
  const pick = (count: number): number => Math.floor(random() * count);
  const violations: string[] = [];
  // The run, once made: the fake engines report their acks to it.
  const current: { run?: PipelineRun } = {};
  const acked = (stage: number, part?: string) => (trace: Parameters<PipelineRun['acked']>[2]) => current.run?.acked(stage, part, trace);
  const fake = (stage: number, part: string | undefined, acts: PartActs, capacity: number, read?: (record: SourceRecord) => void): Engine =>
    new FakeEngine({ capacity, pick, run: transform(acts, `s${stage}${part === undefined ? '' : `/${part}`}`), acked: acked(stage, part), ...(read === undefined ? {} : { read }) }) as unknown as Engine;
  // Per parallel stage: which branches acked each message (by its offset there).
  const branchAcks = new Map<number, Map<number, Set<string>>>();
  const stages = shape.map((stage, index): StageEngines => {
    const name = `s${index}`;
    if (stage.kind === 'transform') return { kind: 'transform', name, engine: fake(index, undefined, stage.acts, stage.capacity) };
    const acks = new Map<number, Set<string>>();
    branchAcks.set(index, acks);
    const branches = stage.branches.map((branch, at) => {
      const engine = new FakeEngine({
        capacity: branch.capacity,
        pick,
        run: transform(branch.acts, `${name}/b${at}`),
        acked: (trace) => {
          const set = acks.get(trace.offset) ?? new Set<string>();
          set.add(`b${at}`);
          acks.set(trace.offset, set);
          current.run?.acked(index, `b${at}`, trace);
        },
        read: () => {
          const held = current.run?.held().get(index) ?? 0;
          if (held > stage.maxPending) violations.push(`stage ${index} holds ${held} > maxPending ${stage.maxPending}`);
        },
      }) as unknown as Engine;
      return { name: `b${at}`, engine };
    });
    const join = fake(index, 'join', stage.join, 2, (record) => {
      const got = acks.get(record.offset as number)?.size ?? 0;
      if (got !== stage.branches.length) violations.push(`stage ${index}: join read offset ${record.offset} with ${got} of ${stage.branches.length} branches in`);
    });
    return { kind: 'parallel', name, branches, join, maxPending: stage.maxPending };
  });
  const done = new Map<number, number>();
  const counted = new Map<number, { outputs: number; failures: number; drops: number }>();
  const source = Array.from({ length: messages }, (_, n) => ({ value: n, key: `m${n}`, eventTime: n, offset: n }));
  const finish = (family: Family): void => {
    done.set(family.offset, (done.get(family.offset) ?? 0) + 1);
    counted.set(family.offset, { outputs: family.outputs, failures: family.failures, drops: family.drops });
  };
  const active = new PipelineRun(source, stages, undefined, { done: finish, changed: () => {} });
  current.run = active;
  const records: PipelineRecord[] = [];
  await within(
    (async () => {
      for await (const record of active.records()) {
        if ((done.get(record.offset) ?? 0) > 0) violations.push(`a record of offset ${record.offset} after it was done`);
        records.push(record);
      }
    })(),
    'the pipeline run to end',
  );
  return { done, counted, records, violations, leftOver: [...active.ledger.items()].length + active.ledger.size };
}

test('every source message is done exactly once with the records the model says, over random shapes and completion orders', async () => {
  await fc.assert(
    fc.asyncProperty(shapes, fc.integer({ min: 0, max: 10 }), fc.integer(), async (shape, messages, seed) => {
      const { done, counted, records, violations, leftOver } = await runShape(shape, messages, seed);
      assert.deepEqual(violations, []);
      assert.equal(leftOver, 0, 'nothing is left in the ledger');
      for (let n = 0; n < messages; n++) {
        assert.equal(done.get(n), 1, `source message ${n} is done exactly once`);
        const expected = model(shape, n);
        assert.deepEqual(counted.get(n), { outputs: expected.outputs, failures: expected.failures, drops: expected.drops }, `what source message ${n} ended as`);
        const mine = records.filter((record) => record.offset === n);
        const outputs = mine.filter((record) => record.kind === 'output');
        const failed = mine.filter((record) => record.kind === 'failed');
        assert.equal(outputs.length, expected.outputs, `outputs of ${n}`);
        assert.equal(failed.length, expected.failures, `failed records of ${n}`);
        for (const record of outputs) assert.equal(record.stage, `s${shape.length - 1}`, 'an output carries the last stage');
        const where = failed.map((record) => (record.kind === 'failed' ? `${record.stage}${record.branch === undefined ? '' : `/${record.branch}`}` : '')).sort();
        const allowed = [...expected.failedAt].sort();
        assert.equal(where.length, allowed.length);
        where.forEach((at, i) => {
          const [stage, branches] = (allowed[i] as string).split('/');
          const [gotStage, gotBranch] = at.split('/');
          assert.equal(gotStage, stage, `failed record of ${n} names its stage`);
          if (branches !== undefined) assert.ok(branches.split('|').includes(gotBranch ?? ''), `failed record of ${n} names a failing branch: ${at} of ${branches}`);
          else assert.equal(gotBranch, undefined);
        });
      }
      assert.equal(done.size, messages);
    }),
    { numRuns: 300 },
  );
});
