import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { toValues } from '../src/outputs.js';
import type { ReduceModule } from '../src/reduce/reduce-module.js';
import { REDUCE_OP } from '../src/reduce/reduce-protocol.js';
import type { ReduceOp, ReduceReply, ReduceWindow } from '../src/reduce/reduce-protocol.js';
import { ReduceStore } from '../src/reduce/reduce-store.js';
import type { TransformContext } from '../src/transform.js';

// ReduceStore against a model that applies the ops one by one. The store
// gets every op at once, as a worker does when they arrive together, with
// a module whose functions each take a random number of microtask turns:
// the per-key chains must make that the same as one by one (the model), and
// keys must not mix. The module collects values (no sorting), so a result
// shows the order of the adds and of the merged parts. A negative value
// makes `add` throw; the counts the ops list are the model's (the main
// thread's), sometimes off by one (a double add, a lost completion).

const KEYS = ['a', 'b', 'c'] as const;
const RESULT_WINDOW: ReduceWindow = { start: 0, end: 100 };

interface Acc {
  readonly key: string | undefined;
  readonly values: readonly number[];
}

type GenOp =
  | { readonly kind: 'add'; readonly key: string; readonly ids: readonly number[]; readonly value: number }
  | { readonly kind: 'result'; readonly key: string; readonly ids: readonly number[]; readonly off: readonly boolean[]; readonly values: readonly number[] | null };

const ids = fc.uniqueArray(fc.nat(4), { minLength: 1, maxLength: 3 });
const genOp: fc.Arbitrary<GenOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), key: fc.constantFrom(...KEYS), ids, value: fc.integer({ min: -3, max: 50 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('result' as const),
      key: fc.constantFrom(...KEYS),
      ids,
      // A count off by one, now and then.
      off: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }), { minLength: 3, maxLength: 3 }),
      values: fc.option(fc.array(fc.nat(50), { maxLength: 4 }), { nil: null, freq: 4 }),
    }),
  },
);

const windowOf = (id: number): ReduceWindow => ({ start: id * 10, end: id * 10 + 20 });

/** A collecting module whose every call first waits `delays` turns (cycled). */
function collecting(delays: readonly number[]): ReduceModule<Acc, number, Acc> {
  let call = 0;
  const pause = async () => {
    const turns = delays.length === 0 ? 0 : (delays[call++ % delays.length] ?? 0);
    for (let i = 0; i < turns; i++) await Promise.resolve();
  };
  return {
    async create(key) {
      await pause();
      return { key, values: [] };
    },
    async add(acc, value, ctx) {
      await pause();
      assert.equal(acc.key, ctx.key, 'an accumulator of the message\'s key');
      if (value < 0) throw new RangeError(`refused ${value}`);
      return { ...acc, values: [...acc.values, value] };
    },
    async result(acc) {
      await pause();
      return acc;
    },
    async merge(a, b) {
      await pause();
      return { ...a, values: [...a.values, ...b.values] };
    },
  };
}

type Expected = { readonly dropped: true } | { readonly reply: ReduceReply } | { readonly error: string };

/** The model: parts by key and id, the ops applied one after another. */
class Model {
  readonly parts = new Map<string, Map<number, { values: number[]; count: number }>>();

  #of(key: string): Map<number, { values: number[]; count: number }> {
    let parts = this.parts.get(key);
    if (parts === undefined) {
      parts = new Map<number, { values: number[]; count: number }>();
      this.parts.set(key, parts);
    }
    return parts;
  }

  /** The op to send for `op` (counts from the model's state now), and what it must give. */
  apply(op: GenOp): { input: ReduceOp; expected: Expected } {
    const parts = this.#of(op.key);
    if (op.kind === 'add') {
      const input: ReduceOp = { [REDUCE_OP]: 'add', parts: op.ids.map((id) => ({ id, ...windowOf(id) })), value: op.value };
      for (const id of op.ids) {
        const part = parts.get(id) ?? { values: [], count: 0 };
        parts.set(id, part);
        if (op.value < 0) {
          for (const listed of op.ids) parts.delete(listed); // every part of an add that threw is forgotten
          return { input, expected: { error: `refused ${op.value}` } };
        }
        part.values.push(op.value);
        part.count++;
      }
      return { input, expected: { dropped: true } };
    }
    const listed = op.ids.map((id, i) => ({ id, count: (parts.get(id)?.count ?? 0) + (op.off[i] === true ? 1 : 0) }));
    const base = { [REDUCE_OP]: 'result' as const, window: RESULT_WINDOW, parts: listed };
    const found = listed.map(({ id, count }) => {
      const part = parts.get(id);
      return part !== undefined && part.count === count ? part : undefined;
    });
    for (const id of op.ids) parts.delete(id);
    if (op.values !== null) {
      return { input: { ...base, values: op.values }, expected: { reply: { [REDUCE_OP]: 'result', value: { key: op.key, values: op.values } } } };
    }
    if (found.some((part) => part === undefined)) return { input: base, expected: { reply: { [REDUCE_OP]: 'missing' } } };
    const values = found.flatMap((part) => part?.values ?? []);
    return { input: base, expected: { reply: { [REDUCE_OP]: 'result', value: { key: op.key, values } } } };
  }
}

const ctxOf = (key: string, offset: number): TransformContext => ({ offset, key, eventTime: 0, attempt: 1, signal: new AbortController().signal });

test('ReduceStore gives what the ops give one by one, with every op sent at once', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(genOp, { maxLength: 60 }),
      fc.array(fc.nat(3), { maxLength: 7 }),
      async (ops, delays) => {
        const store = new ReduceStore(collecting(delays));
        const model = new Model();
        const runs = ops.map((op, offset) => {
          const { input, expected } = model.apply(op);
          return { expected, outcome: store.run(input, ctxOf(op.key, offset)).then((value) => ({ value }), (error: unknown) => ({ error })) };
        });
        for (const [i, run] of runs.entries()) {
          const outcome = await run.outcome;
          const { expected } = run;
          if ('error' in expected) {
            assert.ok('error' in outcome, `op ${i} failed`);
            assert.equal((outcome.error as Error).message, expected.error);
          } else if ('dropped' in expected) {
            assert.ok('value' in outcome, `op ${i} succeeded: ${String((outcome as { error?: unknown }).error)}`);
            assert.deepEqual(toValues(outcome.value), [], `op ${i}, an add, has no output`);
          } else {
            assert.ok('value' in outcome, `op ${i} succeeded: ${String((outcome as { error?: unknown }).error)}`);
            assert.deepEqual(outcome.value, expected.reply, `op ${i}'s reply`);
          }
        }
        let held = 0;
        for (const [key, parts] of model.parts) {
          for (const [id, part] of parts) assert.equal(store.count(key, id), part.count, `part ${id} of ${key} holds the model's count`);
          held += parts.size;
        }
        assert.equal(store.size, held, 'the store holds the model\'s parts, no more');
        assert.equal(store.busyKeys, 0, 'every key\'s chain ran dry');
      },
    ),
    { numRuns: 300 },
  );
});
