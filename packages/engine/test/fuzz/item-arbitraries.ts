import fc from 'fast-check';
import { special } from './special.js';
import type { Json, SpecialName } from './special.js';
import type { DataSpec, ItemField, ItemSpec, OpSpec, ValueSpec } from './scenario.js';

// Source items for the fuzz test: mostly good messages whose value tells
// fixtures/fuzz.js what to do, with bad items, hostile objects, deep,
// cyclic, large and uncloneable values among them.

/** What the transform may do, given the engine's options. */
export interface OpContext {
  /** A `timeout` is set: a try that hangs or spins is ended. */
  timeout: boolean;
}

const tries = fc.constantFrom(1, 1, 2, 99);

function ops(context: OpContext): fc.Arbitrary<OpSpec> {
  const weighted: fc.WeightedArbitrary<OpSpec>[] = [
    { weight: 40, arbitrary: fc.constant({ fz: 'ok' as const }) },
    { weight: 6, arbitrary: fc.constant({ fz: 'echo' as const }) },
    { weight: 8, arbitrary: fc.record({ fz: fc.constant('async' as const), turns: fc.integer({ min: 0, max: 3 }) }) },
    { weight: 6, arbitrary: fc.record({ fz: fc.constant('throw' as const), failTries: tries, async: fc.boolean() }) },
    {
      weight: 3,
      arbitrary: fc.record({
        fz: fc.constant('throw-odd' as const),
        what: fc.constantFrom('string', 'null', 'undefined', 'number', 'symbol', 'function', 'object', 'proxy', 'getter', 'cyclic', 'huge'),
      }),
    },
    { weight: 3, arbitrary: fc.constant({ fz: 'drop' as const }) },
    { weight: 4, arbitrary: fc.record({ fz: fc.constant('fanout' as const), parts: fc.integer({ min: 0, max: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ fz: fc.constant('deep-output' as const), depth: fc.integer({ min: 2000, max: 10_000 }) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        fz: fc.constant('uncloneable-output' as const),
        what: fc.constantFrom('function', 'symbol', 'weakmap', 'promise', 'proxy', 'getter'),
      }),
    },
    { weight: 1, arbitrary: fc.record({ fz: fc.constant('exit' as const), failTries: tries, code: fc.constantFrom(70, 70, 0) }) },
    { weight: 1, arbitrary: fc.record({ fz: fc.constant('late-throw' as const), how: fc.constantFrom('timer' as const, 'rejection' as const) }) },
    { weight: 3, arbitrary: fc.record({ fz: fc.constant('busy' as const), ms: fc.integer({ min: 1, max: 5 }) }) },
    { weight: 1, arbitrary: fc.record({ fz: fc.constant('big-output' as const), length: fc.integer({ min: 100_000, max: 600_000 }) }) },
    { weight: 1, arbitrary: fc.constant({ fz: 'poison' as const }) },
  ];
  if (context.timeout) {
    weighted.push(
      { weight: 1, arbitrary: fc.constant({ fz: 'hang' as const }) },
      { weight: 1, arbitrary: fc.record({ fz: fc.constant('spin' as const), failTries: tries, afterAwait: fc.boolean() }) },
    );
  }
  return fc.oneof(...weighted);
}

const clonableSpecials: SpecialName[] = ['undefined', 'NaN', '-0', 'Infinity', 'bigint', 'date', 'regexp', 'map', 'set', 'uint8array', 'shared-buffer'];
const uncloneableSpecials: SpecialName[] = ['symbol', 'function', 'weakmap', 'promise', 'plain-proxy', 'throwing-proxy', 'revoked-proxy', 'throwing-getter'];

const data: fc.Arbitrary<DataSpec> = fc.oneof(
  { weight: 30, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((json) => ({ kind: 'json' as const, json: json as Json })) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }), buffer: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('string' as const), length: fc.integer({ min: 100_000, max: 600_000 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('deep' as const), depth: fc.integer({ min: 2000, max: 10_000 }), shape: fc.constantFrom('object' as const, 'array' as const) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cyclic' as const), shape: fc.constantFrom('self' as const, 'mutual' as const, 'array' as const, 'map' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('special' as const), name: fc.constantFrom<string>(...clonableSpecials, ...uncloneableSpecials), nested: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'counting-getter' as const }) },
);

function values(context: OpContext): fc.Arbitrary<ValueSpec> {
  const bareArb = fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
  return fc.record({ op: ops(context), data, bare: bareArb }).map((value) => {
    // A bare value is returned as it came; an object payload is always wrapped
    // (so that its keys cannot read as an op). A Buffer is always bare: the
    // transports keep the class of a binary value at the top level.
    const json = value.data.kind === 'json' ? value.data.json : undefined;
    const wrapOnly = typeof json === 'object' && json !== null && !Array.isArray(json);
    const bareOnly = (value.data.kind === 'bytes' && value.data.buffer) || value.data.kind === 'counting-getter';
    const bare = bareOnly || (value.bare && !wrapOnly);
    // A value that may not reach the worker, or whose depth is the point, is only echoed back.
    const plain = value.data.kind === 'deep' || value.data.kind === 'special' || value.data.kind === 'counting-getter';
    return { op: bare || plain ? { fz: 'ok' as const } : value.op, data: value.data, bare };
  });
}

/** Per field, values of the wrong kind. */
const badValues: Record<Exclude<ItemField, 'value' | 'error'>, Json[]> = {
  eventTime: [special('NaN'), special('Infinity'), special('-Infinity'), '5', null, {}, true, special('bigint')],
  key: [5, {}, null, ['a'], true, special('symbol')],
  offset: [1.5, special('NaN'), special('Infinity'), '3', 2 ** 60, null, special('bigint')],
  partition: [special('NaN'), special('Infinity'), null, {}, [], true, special('symbol')],
  bytes: [-1, special('NaN'), special('Infinity'), '5', null],
};

const badFields: fc.Arbitrary<ItemSpec> = fc
  .constantFrom(...(Object.keys(badValues) as (keyof typeof badValues)[]))
  .chain((field) => fc.record({ kind: fc.constant('bad-field' as const), field: fc.constant(field), bad: fc.constantFrom(...badValues[field]) }));

const notObjects: Json[] = [null, special('undefined'), 42, 'item', true, special('symbol'), special('bigint'), special('function')];
const noValues: Json[] = [{}, { nothing: true }, { val: 1 }, { Value: 2 }];

function leaves(context: OpContext): fc.Arbitrary<ItemSpec> {
  const good = fc.record(
    {
      kind: fc.constant('good' as const),
      value: values(context),
      eventTime: fc.oneof(fc.integer({ min: 0, max: 2e12 }), fc.double({ min: -1e15, max: 1e15, noNaN: true, noDefaultInfinity: true })),
      key: fc.string({ maxLength: 6 }),
      named: fc.boolean(),
    },
    { requiredKeys: ['kind', 'value', 'named'] },
  );
  const field = fc.constantFrom('value' as const, 'eventTime' as const, 'key' as const, 'offset' as const, 'partition' as const, 'bytes' as const, 'error' as const);
  return fc.oneof(
    { weight: 40, arbitrary: good },
    { weight: 2, arbitrary: badFields },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('not-object' as const), item: fc.constantFrom(...notObjects) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('no-value' as const), item: fc.constantFrom(...noValues) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('throwing-getter' as const), field }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('throwing-trap' as const),
        trap: fc.constantFrom('has', 'get', 'getOwnPropertyDescriptor', 'ownKeys', 'set', 'defineProperty', 'getPrototypeOf'),
        value: values(context),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'revoked' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('source-error' as const), error: fc.constantFrom('malformed' as const, 'error' as const, 'string' as const) }) },
  );
}

/** The costly behaviours (a worker killed or replaced, a try left to time out): a few per scenario. */
const costly = new Set<OpSpec['fz']>(['exit', 'spin', 'hang', 'deep-output', 'late-throw']);
const MAX_COSTLY = 2;

/** A scenario's items: few, or many (up to 200) mostly good ones; chunks only in processChunks(). */
export function itemList(context: OpContext & { chunks: boolean }): fc.Arbitrary<ItemSpec[]> {
  const leaf = leaves(context);
  const item = context.chunks
    ? fc.oneof({ weight: 12, arbitrary: leaf }, { weight: 1, arbitrary: fc.record({ kind: fc.constant('chunk' as const), items: fc.array(leaf, { maxLength: 3 }) }) })
    : fc.oneof({ weight: 30, arbitrary: leaf }, { weight: 1, arbitrary: fc.record({ kind: fc.constant('chunk' as const), items: fc.array(leaf, { maxLength: 2 }) }) });
  return fc
    .oneof({ weight: 2, arbitrary: fc.array(item, { maxLength: 20 }) }, { weight: 1, arbitrary: fc.array(item, { minLength: 50, maxLength: 150, size: 'max' }) })
    .map((items) => {
      let spent = 0;
      const spend = (value: ValueSpec): ValueSpec => {
        if (!costly.has(value.op.fz) || ++spent <= MAX_COSTLY) return value;
        return { ...value, op: { fz: 'ok' } };
      };
      const tame = (spec: ItemSpec): ItemSpec => {
        if (spec.kind === 'good' || spec.kind === 'throwing-trap') return { ...spec, value: spend(spec.value) };
        if (spec.kind === 'chunk') return { ...spec, items: spec.items.map(tame) };
        return spec;
      };
      return items.map(tame);
    });
}
