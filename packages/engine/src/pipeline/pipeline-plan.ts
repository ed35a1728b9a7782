import { InvalidOptionError, show } from '../errors.js';
import type { PipelineOptions } from './pipeline-options.js';

/** What one engine of a pipeline is: its labels, its options, and where the user gave them. */
export interface PartPlan {
  /** The stage's name. */
  readonly stage: string;
  /** The branch's name, `join` for a parallel stage's join engine; undefined in other stages. */
  readonly branch: string | undefined;
  /** The engine's options (checked by the engine). */
  readonly engine: Record<string, unknown>;
  /** Where its own options lie in the pipeline's options (`stages[1].parallel.text`), and which keys it gave itself. */
  readonly path: string;
  readonly own: ReadonlySet<string>;
  /** The pipeline option key its module came from (`transform`, `join`, `reduce`), as the engine names it. */
  readonly module: 'transform' | 'join' | 'reduce';
}

/** A stage, checked, with its engines' options. */
export type StagePlan =
  | { readonly kind: 'transform'; readonly name: string; readonly part: PartPlan }
  | { readonly kind: 'reduce'; readonly name: string; readonly part: PartPlan }
  | {
      readonly kind: 'parallel';
      readonly name: string;
      readonly branches: readonly PartPlan[];
      readonly join: PartPlan;
      readonly maxPending: number | undefined;
    };

const pipelineKeys = new Set(['stages', 'threads', 'watermark', 'retry', 'timeout', 'transport', 'metrics', 'execArgv', 'resourceLimits']);
/** Pipeline options every engine gets as they are. */
const sharedKeys = ['watermark', 'retry', 'timeout', 'transport', 'execArgv', 'resourceLimits'] as const;
const engineKeys = ['concurrency', 'buffers', 'threads'] as const;
const stageKeys = {
  transform: new Set(['name', 'transform', ...engineKeys]),
  parallel: new Set(['name', 'parallel', 'join', 'maxPending', ...engineKeys]),
  reduce: new Set(['name', 'reduce', 'window', 'allowedLateness', 'concurrency', 'threads']),
};
const branchKeys = new Set(['transform', ...engineKeys]);

/**
 * The pipeline's stages, checked: the shape of each stage (one of
 * `transform`, `parallel` or `reduce`, no unknown key, a unique name, the
 * first a transform stage, a reduce stage only last) and, for each
 * engine, the options it will be made with. The engines check their own
 * options; see {@link underPath} for how their errors are named.
 *
 * @throws {InvalidOptionError} naming the option's path (`stages[2].reduce`).
 */
export function planPipeline(options: PipelineOptions): StagePlan[] {
  if (!isObject(options)) throw new InvalidOptionError('options', 'an object with `stages`', options);
  unknownKeys(options, pipelineKeys, '', 'a pipeline option (see PipelineOptions)');
  const stages: unknown = options.stages;
  if (!Array.isArray(stages) || stages.length === 0) {
    throw new InvalidOptionError('stages', 'an array of at least one stage', stages);
  }
  const shared: Record<string, unknown> = {};
  for (const key of sharedKeys) if (options[key] !== undefined) shared[key] = options[key];
  if (options.threads !== undefined) shared['threads'] = options.threads;
  const names = new Set<string>();
  return stages.map((stage: unknown, index): StagePlan => {
    const path = `stages[${index}]`;
    if (!isObject(stage)) throw new InvalidOptionError(path, 'a stage object ({ name, transform }, { name, parallel, join } or { name, reduce, window })', stage);
    const kinds = (['transform', 'parallel', 'reduce'] as const).filter((kind) => stage[kind] !== undefined);
    const kind = kinds[0];
    if (kind === undefined || kinds.length > 1) {
      throw new InvalidOptionError(path, 'a stage with exactly one of `transform`, `parallel` or `reduce`', kinds.length > 1 ? kinds.join(' and ') : stage);
    }
    unknownKeys(stage, stageKeys[kind], path, `a known option of a ${kind} stage (${[...stageKeys[kind]].join(', ')})`);
    const name = stage['name'];
    if (typeof name !== 'string' || name.trim() === '') throw new InvalidOptionError(`${path}.name`, 'a non-empty string', name);
    if (names.has(name)) throw new InvalidOptionError(`${path}.name`, 'a name no other stage has', name);
    names.add(name);
    if (kind === 'reduce' && index !== stages.length - 1) {
      throw new InvalidOptionError(`${path}.reduce`, `only in the last stage (this is stage ${index + 1} of ${stages.length})`, stage['reduce']);
    }
    if (kind === 'reduce' && index === 0) {
      throw new InvalidOptionError(`${path}.reduce`, 'in a stage after the first (a reduce alone is an Engine with `reduce`)', stage['reduce']);
    }
    if (kind === 'transform' || kind === 'reduce') {
      const part = partPlan(shared, stage, stageKeys[kind], { stage: name, branch: undefined, path, module: kind });
      return { kind, name, part };
    }
    if (index === 0) {
      throw new InvalidOptionError(`${path}.parallel`, 'in a stage after the first (the first stage reads the source: put a transform stage, such as a decode, before it)', stage['parallel']);
    }
    return parallelPlan(shared, stage, name, path);
  });
}

function parallelPlan(shared: Record<string, unknown>, stage: Record<string, unknown>, name: string, path: string): StagePlan {
  const branches = stage['parallel'];
  if (!isObject(branches) || Object.keys(branches).length === 0) {
    throw new InvalidOptionError(`${path}.parallel`, 'an object of at least one branch ({ name: { transform } })', branches);
  }
  if (stage['join'] === undefined) throw new InvalidOptionError(`${path}.join`, 'the join module (a path or URL)', undefined);
  const maxPending = stage['maxPending'];
  if (maxPending !== undefined && !(Number.isSafeInteger(maxPending) && (maxPending as number) >= 1)) {
    throw new InvalidOptionError(`${path}.maxPending`, 'an integer from 1 up', maxPending);
  }
  // A branch takes the stage's engine settings unless it gives its own.
  const stageDefaults: Record<string, unknown> = {};
  for (const key of engineKeys) if (stage[key] !== undefined) stageDefaults[key] = stage[key];
  const parts = Object.entries(branches).map(([branch, options]) => {
    const at = `${path}.parallel.${branch}`;
    if (branch.trim() === '') throw new InvalidOptionError(`${path}.parallel`, 'branches with non-empty names', branch);
    // The join's value is `{ [branch]: value }`: a branch named __proto__ would set its prototype instead.
    if (branch === '__proto__') throw new InvalidOptionError(`${path}.parallel`, 'branches with names other than __proto__', branch);
    if (!isObject(options)) throw new InvalidOptionError(at, 'a branch object ({ transform, concurrency?, buffers?, threads? })', options);
    unknownKeys(options, branchKeys, at, `a known option of a branch (${[...branchKeys].join(', ')})`);
    if (options['transform'] === undefined) throw new InvalidOptionError(`${at}.transform`, 'the branch\'s transform module (a path or URL)', undefined);
    return partPlan({ ...shared, ...stageDefaults }, options, branchKeys, { stage: name, branch, path: at, module: 'transform' });
  });
  const join = partPlan(shared, { ...stage, transform: stage['join'] }, new Set(['transform', ...engineKeys]), { stage: name, branch: 'join', path, module: 'join' });
  return { kind: 'parallel', name, branches: parts, join, maxPending: maxPending as number | undefined };
}

/** One engine's options: the pipeline's shared ones, then its own (the keys in `keys` it gave). */
function partPlan(
  shared: Record<string, unknown>,
  given: Record<string, unknown>,
  keys: ReadonlySet<string>,
  where: { stage: string; branch: string | undefined; path: string; module: PartPlan['module'] },
): PartPlan {
  const engine: Record<string, unknown> = { ...shared };
  const own = new Set<string>();
  for (const key of keys) {
    if (key === 'name' || key === 'parallel' || key === 'join' || key === 'maxPending') continue;
    const value = given[key];
    if (value === undefined) continue;
    engine[key] = value;
    own.add(key);
  }
  return { stage: where.stage, branch: where.branch, engine, path: where.path, own, module: where.module };
}

/**
 * An engine's option error under the pipeline option it came from: one of
 * the part's own keys gets its path (`concurrency` of branch `text` is
 * `stages[1].parallel.text.concurrency`; a join's `transform` is
 * `stages[1].join`); a shared one (`retry.attempts`) stays as it is.
 */
export function underPath(error: InvalidOptionError, part: PartPlan): InvalidOptionError {
  const root = error.option.split(/[.[]/)[0] ?? '';
  let option: string | undefined;
  if (root === 'transform' && part.module === 'join') option = `${part.path}.join${error.option.slice(root.length)}`;
  else if (part.own.has(root)) option = `${part.path}.${error.option}`;
  const prefix = `Expected \`${error.option}\` to be `;
  const suffix = `, got ${show(error.received)}`;
  if (option === undefined || !error.message.startsWith(prefix) || !error.message.endsWith(suffix)) return error;
  const named = new InvalidOptionError(option, error.message.slice(prefix.length, error.message.length - suffix.length), error.received);
  if (error.stack !== undefined) named.stack = error.stack;
  return named;
}

function unknownKeys(object: Record<string, unknown>, known: ReadonlySet<string>, path: string, expected: string): void {
  for (const key of Object.keys(object)) {
    if (!known.has(key)) throw new InvalidOptionError(path === '' ? key : `${path}.${key}`, expected, object[key]);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof URL);
}
