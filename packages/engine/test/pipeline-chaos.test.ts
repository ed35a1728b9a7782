import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { BranchFailedError, Pipeline, TransformError } from '../src/index.js';
import type { PipelineAck, PipelineRecord, StageOptions } from '../src/index.js';
import { seededRandom } from '../src/workload/index.js';
import { chaosEngine, chaosValue, killingTries, ownError, placeFaults, restartsIn, slotOdds } from './helpers/chaos-plan.js';
import type { ChaosValue, WorkerFault } from './helpers/chaos-plan.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import type { TestTransport } from './helpers/transports.js';
import { within } from './helpers/wait.js';

/**
 * Chaos through a pipeline: a → features (x and y in parallel, joined) → c,
 * with chaos.test.ts's faults (helpers/chaos-plan.ts) in every stage: each
 * message's try in each stage returns at once or after 0-2 ms, and may throw,
 * hang until its timeout, spin in sync code, exit its worker or blow its
 * heap, on the first try (the retry succeeds) or on every try (poison); stage
 * a makes 0, 1 or 2 messages of each. A seeded PRNG plans it all and each
 * message carries its plan (fixtures/pipeline/chaos.js). Every source message
 * must be done exactly once (one `ack` event), with the records the plan says:
 * outputs of the last stage, failed records naming the stage (and branch)
 * the poison was in, or a drop; the engines must report a worker restart for
 * each worker-killing try. A variant ends in a windowed reduce instead of c
 * (ring only: a reduce needs key affinity), whose results must hold every
 * message that got through exactly once.
 */
const SEED = Number(process.env.TIDEMARK_CHAOS_SEED ?? 0x9e1_c4a5);
const MAX_OUT_OF_ORDERNESS = 50;
type StageName = 'a' | 'x' | 'y' | 'join' | 'c';
type Step = ChaosValue<WorkerFault>;
type Variant = 'transform' | 'reduce';
/** The stages with chaos: c is the transform variant's last stage; the reduce variant's is the reduce. */
const chaosStages = (variant: Variant): StageName[] => (variant === 'transform' ? ['a', 'x', 'y', 'join', 'c'] : ['a', 'x', 'y', 'join']);
const WINDOW = 200;

/**
 * Exact counts of the worker-killing faults, each on a message that has no other fault and one copy:
 * 15 tries (a spin holds its stage's one thread for the timeout and its grace: few of them).
 * The reduce variant, a quarter as long, has 9.
 */
const crashes: Record<Variant, readonly [WorkerFault, boolean, number][]> = {
  transform: [
    ['exit', false, 3],
    ['exit', true, 1],
    ['heap', false, 2],
    ['heap', true, 1],
    ['sync', false, 1],
    ['sync', true, 1],
  ],
  reduce: [
    ['exit', false, 1],
    ['exit', true, 1],
    ['heap', false, 1],
    ['heap', true, 1],
    ['sync', false, 1],
  ],
};

interface Planned {
  readonly value: { n: number; out: number; path: string[]; chaos: Partial<Record<StageName, Step>> };
  readonly key: string;
  readonly eventTime: number;
}

function plan(seed: number, messages: number, variant: Variant): Planned[] {
  const stages = chaosStages(variant);
  const random = seededRandom(seed);
  const planned: Planned[] = [];
  const ownerOf = new Map<Step, Planned['value']>();
  let clock = 1_700_000_000_000;
  for (let n = 0; n < messages; n++) {
    const r = random();
    const value: Planned['value'] = { n, out: r < 0.1 ? 0 : r < 0.2 ? 2 : 1, path: [], chaos: {} };
    for (const stage of stages) {
      const step = chaosValue(n, random, slotOdds);
      value.chaos[stage] = step;
      ownerOf.set(step, value);
    }
    // Event times rise 1 to 4 ms a message, each up to 20 ms early, 3% up to 150 ms early (so some are late).
    clock += 1 + Math.floor(random() * 4);
    planned.push({ value, key: `k${n % 5}`, eventTime: clock - Math.floor(random() * (random() < 0.03 ? 150 : 20)) });
  }
  // On a message with one copy and no other fault, every stage runs once, and a killing try is certain to run.
  placeFaults(
    crashes[variant],
    () => (planned[Math.floor(random() * messages)] as Planned).value.chaos[stages[Math.floor(random() * stages.length)] as StageName] as Step,
    (step) => {
      const owner = ownerOf.get(step) as Planned['value'];
      return owner.out === 1 && Object.values(owner.chaos).every((other) => other.fault === undefined);
    },
  );
  return planned;
}

const poison = (step: Step | undefined): boolean => step?.fault !== undefined && step.always === true;

/** What the plan says source message `value` ends as: how many of its messages reach the last stage, and each failed record's stage (and branches it may name). */
function expected({ out, chaos }: Planned['value'], variant: Variant): { outputs: number; failures: string[]; drops: number } {
  if (poison(chaos.a)) return { outputs: 0, failures: ['a'], drops: 0 };
  if (out === 0) return { outputs: 0, failures: [], drops: 1 };
  const branches = (['x', 'y'] as const).filter((branch) => poison(chaos[branch]));
  const at = branches.length > 0 ? `features/${branches.join('|')}` : poison(chaos.join) ? 'features' : variant === 'transform' && poison(chaos.c) ? 'c' : undefined;
  return at === undefined ? { outputs: out, failures: [], drops: 0 } : { outputs: 0, failures: new Array<string>(out).fill(at), drops: 0 };
}

interface Ran {
  planned: Planned[];
  records: PipelineRecord[];
  acks: PipelineAck[];
  wrong: string[];
  pipeline: Pipeline;
  seconds: number;
  restarts: number;
}

async function runChaos(transport: TestTransport, variant: Variant, messages: number): Promise<Ran> {
  const planned = plan(SEED, messages, variant);
  const chaos = (stage: StageName): URL => fixture(`pipeline/chaos.js?stage=${stage}`);
  const last: StageOptions =
    variant === 'transform'
      ? { name: 'c', transform: chaos('c'), concurrency: 8 }
      : // A message late at the source is late here too: within the allowed lateness it joins its window if still open, else it comes out alone (`late: true`).
        { name: 'totals', reduce: fixture('pipeline/count.js'), window: { tumbling: WINDOW }, allowedLateness: 100 };
  const registry = new Registry();
  const pipeline = new Pipeline({
    threads: 2,
    transport,
    ...chaosEngine,
    watermark: { maxOutOfOrderness: MAX_OUT_OF_ORDERNESS },
    metrics: { registry },
    stages: [
      { name: 'a', transform: chaos('a'), concurrency: 8 },
      { name: 'features', parallel: { x: { transform: chaos('x') }, y: { transform: chaos('y') } }, join: chaos('join'), concurrency: 8 },
      last,
    ],
  });
  const records: PipelineRecord[] = [];
  const acks: PipelineAck[] = [];
  const acked = new Set<number>();
  const wrong: string[] = [];
  let watermark = Number.NEGATIVE_INFINITY;
  pipeline.on('watermark', (value) => {
    if (!(value > watermark)) wrong.push(`watermark ${value} after ${watermark}`);
    watermark = value;
  });
  pipeline.on('ack', (ack) => {
    if (acked.has(ack.offset)) wrong.push(`offset ${ack.offset} acked twice`);
    acked.add(ack.offset);
    acks.push(ack);
  });
  const started = performance.now();
  try {
    await within(
      (async () => {
        for await (const record of pipeline.process(planned.map(({ value, key, eventTime }) => ({ value, key, eventTime })))) {
          if (acked.has(record.offset)) wrong.push(`a record of offset ${record.offset} after its ack`);
          if (record.late !== true && record.eventTime < watermark) wrong.push(`on-time offset ${record.offset} at ${record.eventTime} after watermark ${watermark}`);
          records.push(record);
        }
      })(),
      'the chaos run to end',
      150_000,
    );
    const seconds = (performance.now() - started) / 1000;
    return { planned, records, acks, wrong, pipeline, seconds, restarts: restartsIn(await registry.metrics()) };
  } catch (error) {
    await within(pipeline.close(), 'the pipeline to close');
    throw error;
  }
}

/** The step of the stage (and branch) a failed record names. */
function stepOf({ chaos }: Planned['value'], record: PipelineRecord & { kind: 'failed' }): Step | undefined {
  return record.branch !== undefined ? chaos[record.branch as StageName] : record.stage === 'features' ? chaos.join : chaos[record.stage as StageName];
}

/** The checks both variants share: exactly once, records against acks, the plan (over ring), stats and restarts. */
function checkAccounting(t: { diagnostic(message: string): void }, transport: TestTransport, variant: Variant, ran: Ran): void {
  const { planned, records, acks, wrong, pipeline, seconds, restarts } = ran;
  const messages = planned.length;
  const byOffset = new Map<number, PipelineRecord[]>();
  for (const record of records) byOffset.set(record.offset, [...(byOffset.get(record.offset) ?? []), record]);
  const outputs = records.filter((record) => record.kind === 'output').length;
  const scheduled = planned.reduce((sum, { value }) => sum + Object.values(value.chaos).reduce((tries, step) => tries + killingTries(step), 0), 0);
  const faults = new Map<string, number>();
  for (const step of planned.flatMap(({ value }) => Object.values(value.chaos))) {
    const key = `${step.fault}${step.always === true ? ' (every try)' : ''}`;
    if (step.fault !== undefined) faults.set(key, (faults.get(key) ?? 0) + 1);
  }
  t.diagnostic(`transport ${transport}, ${variant} variant, seed ${SEED}: ${messages} source messages in ${seconds.toFixed(1)} s; ${outputs} outputs, ${records.length - outputs} failed records`);
  t.diagnostic(`faults planned: ${[...faults].map(([key, count]) => `${count} ${key}`).join(', ')}`);
  t.diagnostic(`worker restarts: ${restarts} reported (tidemark_worker_restarts_total, all stages), ${scheduled} worker-killing tries scheduled`);
  t.diagnostic(`stats ${JSON.stringify(pipeline.stats)}`);
  assert.deepEqual(wrong, [], 'no message acked twice, no record after its ack, the watermark rule kept');
  assert.equal(acks.length, messages, 'every source message is done');
  const mismatched: string[] = [];
  const unexplained: string[] = [];
  for (const ack of acks) {
    const mine = byOffset.get(ack.offset) ?? [];
    const outs = mine.filter((record) => record.kind === 'output').length;
    const failures = mine.length - outs;
    if (ack.outputs !== outs || ack.failures !== failures) mismatched.push(`offset ${ack.offset}: ack says ${ack.outputs}/${ack.failures}, records ${outs}/${failures}`);
    if (ack.outputs + ack.reduced + ack.failures + ack.drops === 0) mismatched.push(`offset ${ack.offset} ended as nothing`);
    const value = (planned[ack.offset] as Planned).value;
    const want = expected(value, variant);
    // Over the task transport a worker's death fails every message on it (piscina does not say which killed it): only the accounting is exact there.
    if (transport === 'task') continue;
    const failed = mine.filter((record): record is PipelineRecord & { kind: 'failed' } => record.kind === 'failed');
    const where = failed.map((record) => `${record.stage}${record.branch === undefined ? '' : `/${record.branch}`}`);
    const fine =
      outs + ack.reduced === want.outputs &&
      ack.drops === want.drops &&
      where.length === want.failures.length &&
      where.every((at, i) => {
        const [stage, branches] = (want.failures[i] as string).split('/');
        const [gotStage, gotBranch] = at.split('/');
        return gotStage === stage && (branches === undefined ? gotBranch === undefined : branches.split('|').includes(gotBranch ?? ''));
      }) &&
      failed.every((record) => ownError(stepOf(value, record)?.fault, record.error instanceof BranchFailedError ? (record.error.cause as TransformError) : record.error));
    if (!fine) unexplained.push(`offset ${ack.offset} (${JSON.stringify(value.chaos)}, out ${value.out}): ${outs} outputs, ${ack.reduced} reduced, failed at [${where.join(', ')}], ${ack.drops} drops; the plan says ${JSON.stringify(want)}`);
  }
  assert.deepEqual(mismatched, [], "each ack counts its message's records");
  assert.deepEqual(unexplained, [], 'each source message ends as its plan says, each failure with its own fault’s error');
  for (const record of records) {
    if (record.kind === 'failed') {
      if (record.branch !== undefined) assert.ok(record.error instanceof BranchFailedError && record.error.cause instanceof TransformError);
      else assert.ok(record.error instanceof TransformError, record.error.name);
    }
  }
  const stats = pipeline.stats;
  assert.equal(stats?.read, messages);
  assert.equal(stats?.acked, messages);
  assert.equal(stats?.emitted, outputs);
  assert.equal(stats?.failed, records.length - outputs);
  assert.ok((stats?.retried ?? 0) > 0, 'retries happened');
  assert.ok(restarts >= scheduled, `${restarts} restarts reported for ${scheduled} worker-killing tries`);
  if (transport === 'ring') assert.equal(restarts, scheduled, 'over the ring transport, one restart per worker-killing try');
  assert.equal(pipeline.committedOffset, messages);
  assert.equal(pipeline.inFlight, 0);
  assert.deepEqual(pipeline.traces(), []);
}

forEachTransport((transport) => {
  const messages = 4000;
  test(`pipeline chaos (${transport}): ${messages} messages through throws, timeouts, sync spins, worker exits and heap deaths in every stage: each accounted for exactly once`, { timeout: 180_000 }, async (t) => {
    const ran = await runChaos(transport, 'transform', messages);
    t.after(() => within(ran.pipeline.close(), 'the pipeline to close'));
    checkAccounting(t, transport, 'transform', ran);
    for (const record of ran.records) {
      if (record.kind !== 'output') continue;
      const value = record.value as { n: number; path: string[] };
      assert.equal(value.n, record.offset, 'an output carries its own source message');
      assert.deepEqual(value.path, ['a', 'x', 'join', 'c']);
      assert.equal(record.stage, 'c');
    }
  });
});

test('pipeline chaos (ring), ending in a windowed reduce: every message that got through is in exactly one window result (or one late record)', { timeout: 180_000 }, async (t) => {
  const ran = await runChaos('ring', 'reduce', 1000);
  t.after(() => within(ran.pipeline.close(), 'the pipeline to close'));
  checkAccounting(t, 'ring', 'reduce', ran);
  // Each message's copies that reach the reduce, by n, against what came out: window results' ns and late records' values.
  const want = new Map<number, number>();
  for (const { value } of ran.planned) if (expected(value, 'reduce').outputs > 0) want.set(value.n, expected(value, 'reduce').outputs);
  const got = new Map<number, number>();
  const windows = new Set<string>();
  let late = 0;
  for (const record of ran.records) {
    if (record.kind !== 'output') continue;
    assert.equal(record.stage, 'totals');
    if (record.window === undefined) {
      late++;
      const { n } = record.value as { n: number };
      got.set(n, (got.get(n) ?? 0) + 1);
      continue;
    }
    const at = `${record.key} ${record.window.start}`;
    assert.ok(!windows.has(at), `one result for window ${at}`);
    windows.add(at);
    assert.equal(record.window.end - record.window.start, WINDOW);
    assert.equal(record.eventTime, record.window.end - 1);
    for (const n of (record.value as { ns: number[] }).ns) got.set(n, (got.get(n) ?? 0) + 1);
  }
  t.diagnostic(`${windows.size} window results, ${late} late records`);
  assert.deepEqual(new Map([...got].sort((p, q) => p[0] - q[0])), new Map([...want].sort((p, q) => p[0] - q[0])), 'each copy that got through, in exactly one result');
});
