import fc from 'fast-check';
import { special } from './special.js';
import type { Json } from './special.js';
import type { Tolerance } from './scenario.js';

// Engine options for the fuzz test: valid ones (small engines: 1 or 2
// threads), ones at the edge of their range (huge, infinite, tiny: either
// refused with InvalidOptionError or they must work), and invalid ones
// (wrong types, out of range, unknown keys, conflicts, hostile objects:
// always InvalidOptionError from the constructor).

type Options = { [key: string]: Json };
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const policies = ['block', 'drop-oldest', 'drop-newest', 'reject'] as const;

const bufferArb = fc.record(
  {
    messages: fc.integer({ min: 1, max: 32 }),
    bytes: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 256, max: 100_000 })),
    overflow: fc.constantFrom(...policies),
  },
  { requiredKeys: [] },
);

const knobs = fc.record({
  threads: fc.integer({ min: 1, max: 2 }),
  transport: fc.constantFrom('ring', 'task'),
  batch: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  concurrency: opt(fc.integer({ min: 1, max: 16 })),
  tasksPerThread: opt(fc.integer({ min: 1, max: 8 })),
  lookahead: opt(fc.boolean()),
  batchSize: opt(fc.integer({ min: 1, max: 16 })),
  ordering: opt(fc.constantFrom('unordered', 'ordered')),
  buffers: opt(fc.record({ input: bufferArb, processing: bufferArb, output: bufferArb }, { requiredKeys: [] })),
  retry: opt(
    fc.record({ attempts: opt(fc.integer({ min: 1, max: 3 })), initial: fc.integer({ min: 0, max: 5 }), extra: fc.integer({ min: 0, max: 10 }) }),
  ),
  timeout: opt(fc.oneof(fc.constant(0), fc.integer({ min: 30, max: 300 }))),
  watermark: opt(fc.record({ maxOutOfOrderness: fc.integer({ min: 0, max: 1000 }), idleAfter: fc.integer({ min: 0, max: 2000 }) }, { requiredKeys: [] })),
  ringBytes: opt(fc.constantFrom(4096, 8192, 65536)),
  loadTimeout: opt(fc.integer({ min: 10_000, max: 60_000 })),
  metrics: opt(fc.constantFrom<Json>(true, { registry: special('registry') }, { registry: special('registry'), port: 0 })),
  resourceLimits: opt(fc.constantFrom<Json>({ maxOldGenerationSizeMb: 128 }, { stackSizeMb: 1 }, { stackSizeMb: 4 })),
});

/** Valid options: every combination the README allows, for a small engine. */
export const validOptions: fc.Arbitrary<Options> = knobs.map((k) => {
  const o: Options = { transform: special('transform'), threads: k.threads, transport: k.transport };
  if (k.batch) o.mode = 'batch';
  for (const key of ['concurrency', 'tasksPerThread', 'lookahead', 'ordering', 'ringBytes', 'loadTimeout', 'metrics', 'resourceLimits', 'timeout'] as const) {
    if (k[key] !== undefined) o[key] = k[key];
  }
  if (k.batch && k.batchSize !== undefined) o.batchSize = k.batchSize;
  if (k.watermark !== undefined) o.watermark = k.watermark;
  if (k.retry !== undefined) {
    o.retry = { backoff: { initial: k.retry.initial, max: k.retry.initial + k.retry.extra } };
    if (k.retry.attempts !== undefined) o.retry.attempts = k.retry.attempts;
  }
  if (k.buffers !== undefined) {
    const buffers: Options = {};
    for (const [name, limit] of Object.entries(k.buffers)) {
      const b: Options = { ...limit };
      // Batch mode allows only 'block'; a message at a worker cannot be dropped-oldest.
      if (k.batch) delete b.overflow;
      if (name === 'processing' && b.overflow === 'drop-oldest') b.overflow = 'drop-newest';
      // `concurrency` and `buffers.processing.messages` are one limit: give one.
      if (name === 'processing' && k.concurrency !== undefined) delete b.messages;
      buffers[name] = b;
    }
    o.buffers = buffers;
  }
  if (k.batch) {
    // The output buffer holds a whole batch.
    const processing = (o.buffers as Options | undefined)?.processing as Options | undefined;
    const concurrency = k.concurrency ?? (processing?.messages as number | undefined) ?? k.threads * 4;
    const batchSize = k.batchSize ?? concurrency;
    const output = (o.buffers as Options | undefined)?.output as Options | undefined;
    if (output?.messages !== undefined && (output.messages as number) < batchSize) output.messages = batchSize;
  }
  return o;
});

/** Sets `path` in a copy of `options` (making the objects on the way) to `value`. */
export function setPath(options: Options, path: readonly string[], value: Json): Options {
  const copy = structuredClone(options);
  let at: Options = copy;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    at = at[key] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {};
  }
  // An own property even for `__proto__`, as JSON.parse makes it.
  Object.defineProperty(at, path.at(-1) as string, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** A copy of `options` without `path`. */
function deletePath(options: Options, path: readonly string[]): Options {
  const copy = structuredClone(options);
  let at: Json | undefined = copy;
  for (const key of path.slice(0, -1)) at = typeof at === 'object' && at !== null && !Array.isArray(at) ? at[key] : undefined;
  if (typeof at === 'object' && at !== null && !Array.isArray(at)) delete at[path.at(-1) as string];
  return copy;
}

const NaN_ = special('NaN');
const inf = special('Infinity');
const minusInf = special('-Infinity');
const badCounts: Json[] = [0, -1, 1.5, NaN_, inf, minusInf, '2', null, true, [], {}, special('bigint'), special('throwing-proxy')];
const badMs: Json[] = [-1, NaN_, minusInf, '100', null, true, [], special('bigint')];
const badBuffer: Json[] = [
  ...[5, 'big', null, [], { size: 4 }, special('revoked-proxy')],
  ...[0, -1, 2.5, NaN_].map((messages) => ({ messages })),
  ...[0, -1, NaN_, '1kb'].map((bytes) => ({ bytes })),
  ...['spill', null].map((overflow) => ({ overflow })),
];

/** Paths and values that are wrong whatever the rest of the options. */
const badValues: [string[], Json[]][] = [
  [['transform'], ['', 5, null, {}, [], special('missing-module'), 'file:///no/such/module.js', special('undefined')]],
  [['threads'], [...badCounts, 1025, 1e9, 2 ** 53]],
  [['concurrency'], badCounts],
  [['tasksPerThread'], badCounts],
  [['batchSize'], badCounts],
  [['lookahead'], ['yes', 1, 0, null, []]],
  [['mode'], ['stream', '', 'ASYNC', 0, null]],
  [['ordering'], ['sorted', 'Ordered', 1, null]],
  [['watermark'], [5, 'x', null, [], special('throwing-proxy')]],
  [['watermark', 'maxOutOfOrderness'], badMs],
  [['watermark', 'idleAfter'], badMs],
  [['watermark', 'lateness'], [5]],
  [['retry'], [3, 'x', null, []]],
  [['retry', 'attempts'], badCounts],
  [['retry', 'backoff'], [7, null, 'fast', []]],
  [['retry', 'backoff', 'initial'], badMs],
  [['retry', 'backoff', 'max'], badMs],
  [['retry', 'tries'], [2]],
  [['timeout'], badMs],
  [['loadTimeout'], badMs],
  [['resourceLimits'], [5, 'x', null, []]],
  [['resourceLimits', 'maxOldGenerationSizeMb'], [0, -1, NaN_, '64', null]],
  [['resourceLimits', 'stackSizeMb'], [0, -4, NaN_, null]],
  [['resourceLimits', 'heap'], [64]],
  [['transport'], ['tcp', 'RING', 1, null]],
  [['ringBytes'], [4095, 5000, 0, -4096, NaN_, inf, 2 ** 31, 4096.5, '4096', null]],
  [['metrics'], ['yes', 1, null, [], { port: -1 }, { port: 70_000 }, { port: 1.5 }, { port: '80' }, { registry: {} }, { registry: 5 }, { push: true }]],
  [['buffers'], [5, 'x', null, [], { extra: {} }]],
  [['buffers', 'input'], badBuffer],
  [['buffers', 'processing'], [...badBuffer, { overflow: 'drop-oldest' }]],
  [['buffers', 'output'], badBuffer],
  [['execArgv'], ['--inspect', [5], [null], null, {}]],
  [['threadz'], [2]],
  [['__proto__'], [{ threads: 2 }]],
  [['constructor'], [1]],
];

/** Options wrong as a whole, or by a conflict between two options. */
const badWholes: Json[] = [
  null,
  5,
  'options',
  [],
  special('undefined'),
  special('throwing-proxy'),
  special('revoked-proxy'),
  { threads: 1 },
  { transform: special('transform'), concurrency: 4, buffers: { processing: { messages: 5 } } },
  { transform: special('transform'), mode: 'batch', buffers: { input: { overflow: 'reject' } } },
  { transform: special('transform'), mode: 'batch', buffers: { output: { overflow: 'drop-newest' } } },
  { transform: special('transform'), mode: 'batch', batchSize: 8, buffers: { output: { messages: 4 } } },
  { transform: special('transform'), retry: { backoff: { initial: 10, max: 5 } } },
];

const badPath = fc.constantFrom(...badValues).chain(([path, values]) => fc.tuple(fc.constant(path), fc.constantFrom(...values)));

/** Options `new Engine()` must refuse with InvalidOptionError. */
export const badOptions: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(validOptions, badPath).map(([base, [path, value]]) => setPath(base, path, value)) },
  { weight: 1, arbitrary: fc.constantFrom(...badWholes) },
);

/** An option at the edge of its range, and what a run with it may do if it is accepted. */
const extremes: [string[], Json, Tolerance][] = [
  [['concurrency'], 1e6, {}],
  [['concurrency'], 1e9, {}],
  [['concurrency'], Number.MAX_SAFE_INTEGER, {}],
  [['tasksPerThread'], 1e9, {}],
  [['buffers', 'input', 'messages'], 1e9, {}],
  [['buffers', 'output', 'messages'], Number.MAX_SAFE_INTEGER, {}],
  [['buffers', 'input', 'bytes'], 1e-9, {}],
  [['buffers', 'output', 'bytes'], 1e300, {}],
  [['buffers', 'input', 'bytes'], special('Infinity'), {}],
  [['timeout'], 1e10, {}],
  [['timeout'], 2 ** 31, {}],
  [['timeout'], special('Infinity'), {}],
  [['timeout'], 1e-3, {}],
  [['watermark', 'idleAfter'], 1e10, {}],
  [['watermark', 'idleAfter'], special('Infinity'), {}],
  [['watermark', 'maxOutOfOrderness'], 1e300, {}],
  [['watermark', 'maxOutOfOrderness'], special('Infinity'), {}],
  [['retry', 'backoff'], { initial: 0, max: special('Infinity') }, {}],
  [['loadTimeout'], 1e10, {}],
  [['loadTimeout'], special('Infinity'), {}],
  [['loadTimeout'], 0, { loadError: true }],
  [['loadTimeout'], 1e-3, { loadError: true }],
  [['ringBytes'], 2 ** 24, {}],
  [['transform'], special('http-url'), { loadError: true }],
  [['resourceLimits'], { maxOldGenerationSizeMb: 1 }, { loadError: true, anyFailure: true }],
  [['resourceLimits'], { stackSizeMb: 1e9 }, { loadError: true, anyFailure: true }],
  [['resourceLimits'], { maxYoungGenerationSizeMb: 1e-6 }, { loadError: true, anyFailure: true }],
  [['execArgv'], ['--no-such-flag'], { loadError: true }],
  [['execArgv'], ['--stack-size=60'], { loadError: true, anyFailure: true }],
];

/** Valid options with one option at the edge of its range. */
export const extremeOptions: fc.Arbitrary<{ options: Options; tolerate: Tolerance }> = fc
  .tuple(validOptions, fc.constantFrom(...extremes))
  .map(([base, [path, value, tolerate]]) => {
    let options = setPath(base, path, value);
    // Keep the one limit given once.
    if (path[0] === 'concurrency') options = deletePath(options, ['buffers', 'processing', 'messages']);
    if (options.mode === 'batch') options = setPath(options, ['mode'], 'async');
    return { options, tolerate };
  });
