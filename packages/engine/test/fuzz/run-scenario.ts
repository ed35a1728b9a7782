import { Engine, InvalidOptionError } from '../../src/index.js';
import type { EngineOptions } from '../../src/index.js';
import { until, within } from '../helpers/wait.js';
import { buildItems } from './build-items.js';
import { checkRun } from './check-run.js';
import type { RunShape } from './check-run.js';
import type { Allowance } from './judge.js';
import { observeRun } from './observe-run.js';
import type { Observation } from './observe-run.js';
import type { ConsumerSpec, Scenario } from './scenario.js';
import { RETURN_ERROR, SOURCE_ERROR, itemsGiven, makeSource } from './sources.js';
import { decode } from './special.js';
import type { Json } from './special.js';

// Runs one fuzz scenario in the fuzz host and lists what went wrong:
// bad options accepted (or refused with another error), valid ones refused,
// a run that hangs, an offset not accounted for, a close() that hangs, and
// handles left open after close().

/** Bounds on a hang (never a timing check: a healthy scenario meets them long before). */
const RUN_BOUND_MS = Number(process.env.TIDEMARK_FUZZ_BOUND_MS ?? 20_000);
const CLOSE_BOUND_MS = RUN_BOUND_MS;

export interface ScenarioResult {
  violations: string[];
  notes: string[];
  /** A run or close() hung: the host may hold stuck workers and should not be reused. */
  wedged: boolean;
  /** What each run did, to show the fuzz is not idle. */
  runs: RunSummary[];
}

export interface RunSummary {
  title: string;
  handed: number;
  acked: number;
  committed: number;
  ended: string;
}

/** An error, short and safely (it may be a Proxy or anything else that was thrown). */
export function describeError(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}${'code' in error ? `(${String(error.code)})` : ''}: ${error.message.slice(0, 200)}`;
    return String(error).slice(0, 200);
  } catch {
    return 'a value that cannot be shown';
  }
}

/** Where in the engine's code `error` was thrown (its first two frames there), for a report. */
function whereInEngine(error: unknown): string {
  if (!(error instanceof Error)) return '';
  const frames = (error.stack ?? '').split('\n').filter((line) => line.includes('/src/'));
  return frames.length === 0 ? '' : ` at ${frames.slice(0, 2).map((line) => line.trim().replace(/^at /, '')).join(' < ')}`;
}

const short = (json: Json): string => {
  const text = JSON.stringify(json) ?? 'undefined';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
};

const isOptionError = (error: unknown): boolean => error instanceof InvalidOptionError && error.code === 'ERR_TIDEMARK_INVALID_OPTION';

/** The handles keeping the event loop alive, by kind. */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

function extraResources(before: Map<string, number>): string[] {
  return [...resources()].filter(([kind, count]) => count > (before.get(kind) ?? 0)).map(([kind, count]) => `${kind} x${count - (before.get(kind) ?? 0)}`);
}

async function checkBadOptions(sets: readonly Json[], violations: string[]): Promise<void> {
  for (const json of sets) {
    let engine: Engine;
    try {
      engine = new Engine(decode(json) as EngineOptions);
    } catch (error) {
      if (!isOptionError(error)) violations.push(`bad options ${short(json)} threw ${describeError(error)}, not InvalidOptionError`);
      continue;
    }
    violations.push(`bad options ${short(json)} were accepted`);
    await within(engine.close(), 'an engine with bad options to close', CLOSE_BOUND_MS).catch((error: unknown) => violations.push(describeError(error)));
  }
}

function allowanceOf(engine: Engine, scenario: Scenario, fzs: ReadonlySet<string>): Allowance {
  const o = engine.options;
  const policies = Object.values(o.buffers).map((limit) => limit.overflow);
  return {
    attempts: o.retry.attempts,
    timeouts: o.timeout > 0 && o.timeout < 1e6,
    drops: policies.some((policy) => policy === 'drop-newest' || policy === 'drop-oldest'),
    rejects: policies.includes('reject'),
    collateral: (o.transport === 'task' && (fzs.has('exit') || fzs.has('spin'))) || fzs.has('late-throw'),
    anyFailure: scenario.tolerate.anyFailure === true,
  };
}

/** The ops of every message of the scenario. */
function opsOf(scenario: Scenario): Set<string> {
  const fzs = new Set<string>();
  const visit = (specs: Scenario['items']): void => {
    for (const spec of specs) {
      if (spec.kind === 'good' || spec.kind === 'throwing-trap') fzs.add(spec.value.op.fz);
      if (spec.kind === 'chunk') visit(spec.items);
    }
  };
  visit(scenario.items);
  return fzs;
}

interface RunPlan {
  readonly consumer: ConsumerSpec;
  readonly source: Scenario['source'];
  readonly title: string;
}

/** One run: observed, its ending checked, its offsets accounted for. Returns what it saw, or undefined when it hung. */
async function oneRun(engine: Engine, scenario: Scenario, plan: RunPlan, allowance: Allowance, result: ScenarioResult): Promise<Observation | undefined> {
  const { violations, notes } = result;
  const chunked = plan.consumer.chunks !== null;
  const parts = plan.source.kind === 'partitioned' ? plan.source.parts : 0;
  const built = buildItems(scenario.items, chunked, parts);
  const abort = new AbortController();
  let stalled = false;
  const source = makeSource(plan.source, built, () => {
    stalled = true;
    abort.abort();
  });
  let seen: Observation;
  try {
    seen = await within(observeRun(engine, source, plan.consumer, abort, engine.options.ordering === 'ordered', parts > 0), `${plan.title} to end`, RUN_BOUND_MS);
  } catch (error) {
    const state = {
      stats: engine.stats,
      inFlight: engine.inFlight,
      processing: engine.processing,
      buffers: engine.buffers,
      committed: engine.committedOffset,
      traces: engine.traces().slice(0, 5).map((t) => [t.offset, t.stage, t.attempts]),
    };
    violations.push(`hang: ${describeError(error)}; engine: ${JSON.stringify(state)}`);
    return undefined;
  }
  // Per partition, the messages the source gives before it ends or stops.
  const given = new Map<string, number>(parts > 0 ? Array.from({ length: parts }, (_, p) => [`p${p}`, 0]) : [['', 0]]);
  for (const leaf of built.leaves.slice(0, built.firstLeaf[itemsGiven(plan.source, built.top.length)])) {
    given.set(leaf.partition ?? '', (given.get(leaf.partition ?? '') ?? 0) + 1);
  }
  const ended = seen.ended;
  const problems: string[] = [];
  let loadFailed = false;
  if (ended.how === 'error') {
    const error = ended.error as { code?: unknown; message?: unknown } | undefined;
    if (error?.code === 'ERR_TIDEMARK_TRANSFORM_LOAD' && scenario.tolerate.loadError === true) {
      loadFailed = true;
      notes.push(`${plan.title}: ${describeError(ended.error)}`);
      if (seen.handed.length > 0) problems.push('records handed over before TransformLoadError');
    } else if (plan.source.kind === 'throws' && error?.message === SOURCE_ERROR) {
      // The source's error ends the run, after what was read is handed over.
    } else if (plan.source.kind === 'bad-return' && error?.message === RETURN_ERROR && plan.consumer.leave !== 'none') {
      // The run stopped early and returned the source, whose return() threw: its error may come out.
    } else {
      problems.push(`the run threw ${describeError(ended.error)}${whereInEngine(ended.error)}`);
    }
  }
  if (plan.source.kind === 'throws' && ended.how === 'done' && !seen.stopped && !stalled) problems.push(`the source's error was lost: the run ended without it`);
  if (!loadFailed) {
    const closed = (plan.consumer.leave === 'close' || plan.consumer.leave === 'close-first') && seen.stopped;
    const shape: RunShape = {
      whole: ended.how !== 'left' && !closed,
      // An abort before the run starts: nothing is read.
      readAll: plan.consumer.leave === 'abort-first' ? new Map([...given.keys()].map((partition) => [partition, 0])) : ended.how !== 'left' && !seen.stopped ? given : undefined,
      chunked,
    };
    problems.push(...checkRun(built.leaves, seen, allowance, shape));
  }
  violations.push(...problems.map((problem) => `${plan.title}: ${problem}`));
  result.runs.push({
    title: plan.title,
    handed: seen.handed.length,
    acked: seen.acks.size,
    committed: [...seen.committed.values()].reduce((sum, offset) => sum + offset, 0),
    ended: ended.how === 'error' ? describeError(ended.error) : ended.how + (seen.stopped ? ` (${plan.consumer.leave})` : stalled ? ' (stalled, aborted)' : ''),
  });
  return seen;
}

/** Runs `scenario` in this process. */
export async function runScenario(scenario: Scenario): Promise<ScenarioResult> {
  const result: ScenarioResult = { violations: [], notes: [], wedged: false, runs: [] };
  const { violations, notes } = result;
  await checkBadOptions(scenario.badOptions, violations);
  const before = resources();
  let engine: Engine;
  try {
    engine = new Engine(decode(scenario.options) as EngineOptions);
  } catch (error) {
    if (scenario.optionClass === 'extreme' && isOptionError(error)) notes.push(`options refused: ${describeError(error)}`);
    else violations.push(`${scenario.optionClass} options threw ${describeError(error)}`);
    return result;
  }
  const allowance = allowanceOf(engine, scenario, opsOf(scenario));
  const first = await oneRun(engine, scenario, { consumer: scenario.consumer, source: scenario.source, title: 'run 1' }, allowance, result);
  if (first === undefined) result.wedged = true;
  if (first?.closing !== undefined) {
    await within(first.closing, 'close() called during the run', CLOSE_BOUND_MS).catch((error: unknown) => {
      result.wedged = true;
      violations.push(`hang: ${describeError(error)}`);
    });
  }
  const usable = first !== undefined && first.closing === undefined && scenario.consumer.leave !== 'abandon';
  const loaded = !notes.some((note) => note.includes('ERR_TIDEMARK_TRANSFORM_LOAD'));
  if (scenario.after === 'again' && usable && loaded) {
    const consumer: ConsumerSpec = { leave: 'none', after: 0, chunks: scenario.consumer.chunks, slow: 0 };
    const second = await oneRun(engine, scenario, { consumer, source: { kind: 'generator' }, title: 'run 2 (whole, after run 1)' }, allowance, result);
    if (second === undefined) result.wedged = true;
  }
  await within(engine.close(), 'engine.close()', CLOSE_BOUND_MS).catch((error: unknown) => {
    result.wedged = true;
    violations.push(`hang: ${describeError(error)}`);
  });
  try {
    void engine.process([]);
    violations.push('process() after close() did not throw');
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_TIDEMARK_ENGINE_CLOSED') violations.push(`process() after close() threw ${describeError(error)}`);
  }
  if (!result.wedged) {
    await until(() => extraResources(before).length === 0, 'the handles of the engine to go', () => extraResources(before), 5_000).catch(() =>
      violations.push(`handles left open after close(): ${extraResources(before).join(', ')}`),
    );
  }
  return result;
}
