import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toValues } from '../src/outputs.js';
import type { ReduceModule } from '../src/reduce/reduce-module.js';
import { REDUCE_OP } from '../src/reduce/reduce-protocol.js';
import type { ReduceOp } from '../src/reduce/reduce-protocol.js';
import { checkReduceModule } from '../src/reduce/reduce-module.js';
import { ReduceStore } from '../src/reduce/reduce-store.js';
import type { TransformContext } from '../src/transform.js';

// ReduceStore's behaviours the model test does not single out: keys do not
// wait for each other, a key's ops wait for the one before even when it
// fails, a module's functions keep their `this`, and a window of several
// parts needs `merge`.

const ctx = (key: string, offset = 0): TransformContext => ({ offset, key, eventTime: 0, attempt: 1, signal: new AbortController().signal });
const add = (id: number, value: unknown): ReduceOp => ({ [REDUCE_OP]: 'add', parts: [{ id, start: 0, end: 10 }], value });
const result = (...parts: [id: number, count: number][]): ReduceOp => ({
  [REDUCE_OP]: 'result',
  window: { start: 0, end: 10 },
  parts: parts.map(([id, count]) => ({ id, count })),
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const sum: ReduceModule<number, number, number> = { create: () => 0, add: (a, v) => a + v, result: (a) => a, merge: (a, b) => a + b };

test('a key whose op is pending holds back only its own later ops', async () => {
  const release = deferred();
  const started: string[] = [];
  const store = new ReduceStore({
    ...sum,
    async add(acc: number, value: number, context) {
      started.push(`${context.key}:${value}`);
      if (value === 1) await release.promise;
      return acc + value;
    },
  });
  const slowA = store.run(add(0, 1), ctx('a'));
  const nextA = store.run(add(0, 2), ctx('a'));
  const b = [store.run(add(0, 5), ctx('b')), store.run(result([0, 1]), ctx('b'))];
  assert.deepEqual(await Promise.all(b).then(([, reply]) => reply), { [REDUCE_OP]: 'result', value: 5 }, 'key b done while a waits');
  assert.deepEqual(started, ['a:1', 'b:5'], 'a\'s second add has not started');
  assert.equal(store.busyKeys, 1);
  release.resolve();
  await Promise.all([slowA, nextA]);
  assert.deepEqual(await store.run(result([0, 2]), ctx('a')), { [REDUCE_OP]: 'result', value: 3 });
  assert.equal(store.size, 0, 'every part forgotten once its result is out');
});

test('a failed op does not break its key\'s chain, and the part whose add threw is forgotten', async () => {
  const store = new ReduceStore({
    ...sum,
    add: (acc: number, value: number) => {
      if (value < 0) throw new RangeError('negative');
      return acc + value;
    },
  });
  await store.run(add(0, 4), ctx('k'));
  await assert.rejects(store.run(add(0, -1), ctx('k')), { name: 'RangeError', message: 'negative' });
  assert.equal(store.count('k', 0), undefined, 'its state may be half-updated: forgotten');
  assert.deepEqual(toValues(await store.run(add(0, 3), ctx('k'))), []);
  // The main thread counts two completed adds: the part restarted at one.
  assert.deepEqual(await store.run(result([0, 2]), ctx('k')), { [REDUCE_OP]: 'missing' });
  assert.equal(store.size, 0);
});

test('the module\'s functions are called as its methods', async () => {
  const module = {
    zero: 100,
    create() {
      return this.zero;
    },
    add(acc: number, value: number) {
      return acc + value;
    },
    result(acc: number) {
      return acc - this.zero;
    },
    merge(a: number, b: number) {
      return a + b - this.zero;
    },
  };
  const store = new ReduceStore(module);
  await store.run(add(0, 1), ctx('k'));
  await store.run(add(1, 2), ctx('k'));
  assert.deepEqual(await store.run(result([0, 1], [1, 1]), ctx('k')), { [REDUCE_OP]: 'result', value: 3 });
});

test('a window of several parts needs merge: a clear error, and the parts stay for the next try', async () => {
  const noMerge: ReduceModule<number, number, number> = { create: () => 0, add: (a, v) => a + v, result: (a) => a };
  const store = new ReduceStore(noMerge);
  await store.run(add(0, 1), ctx('k'));
  await store.run(add(1, 2), ctx('k'));
  await assert.rejects(store.run(result([0, 1], [1, 1]), ctx('k')), {
    name: 'TransformModuleError',
    code: 'ERR_TIDEMARK_TRANSFORM_MODULE',
    message: /the reduce module has no `merge`, which a window made of 2 parts needs \(session windows merge sessions\)/u,
  });
  assert.equal(store.size, 2);
  // One part is fine without merge.
  assert.deepEqual(await store.run(result([1, 1]), ctx('k')), { [REDUCE_OP]: 'result', value: 2 });
});

test('a result whose merge throws forgets its parts: the retry finds them missing', async () => {
  const store = new ReduceStore({
    ...sum,
    merge: () => {
      throw new Error('merge failed');
    },
  });
  await store.run(add(0, 1), ctx('k'));
  await store.run(add(1, 2), ctx('k'));
  await assert.rejects(store.run(result([0, 1], [1, 1]), ctx('k')), { message: 'merge failed' });
  assert.deepEqual(await store.run(result([0, 1], [1, 1]), ctx('k')), { [REDUCE_OP]: 'missing' });
});

test('a recompute reduces its values alone and forgets the listed parts', async () => {
  const store = new ReduceStore(sum);
  await store.run(add(0, 100), ctx('k'));
  await store.run(add(1, 100), ctx('other'));
  const recompute: ReduceOp = { [REDUCE_OP]: 'result', window: { start: 0, end: 10 }, parts: [{ id: 0, count: 1 }, { id: 7, count: 3 }], values: [1, 2, 3] };
  assert.deepEqual(await store.run(recompute, ctx('k')), { [REDUCE_OP]: 'result', value: 6 });
  assert.equal(store.count('k', 0), undefined);
  assert.equal(store.count('other', 1), 1, 'another key\'s part of the same id is its own');
});

test('an add that throws on a later part forgets the earlier parts too: nothing of a message that may fail for good stays behind', async () => {
  const store = new ReduceStore(
    checkReduceModule(
      {
        create: () => 0,
        add: (acc: number, value: number, ctx: { window: { start: number } }) => {
          if (ctx.window.start === 5) throw new Error('refused');
          return acc + value;
        },
        result: (acc: number) => acc,
      },
      'test:throws-on-second',
    ),
  );
  const ctx = { offset: 0, key: 'k', eventTime: 7, attempt: 1, signal: new AbortController().signal };
  const op = { [REDUCE_OP]: 'add', message: 1, parts: [{ id: 1, start: 0, end: 10 }, { id: 2, start: 5, end: 15 }], value: 3 };
  await assert.rejects(store.run(op, ctx), /refused/);
  assert.equal(store.size, 0, 'no part left');
});

test('an add that comes again for a message a part already holds (its completion was lost) is skipped there', async () => {
  const store = new ReduceStore(checkReduceModule({ create: () => 0, add: (acc: number, value: number) => acc + value, result: (acc: number) => acc }, 'test:sum'));
  const ctx = { offset: 0, key: 'k', eventTime: 1, attempt: 1, signal: new AbortController().signal };
  const add = { [REDUCE_OP]: 'add', message: 7, parts: [{ id: 1, start: 0, end: 10 }], value: 5 };
  await store.run(add, ctx);
  await store.run(add, { ...ctx, attempt: 2 });
  assert.equal(store.count('k', 1), 1);
  const reply = await store.run({ [REDUCE_OP]: 'result', window: { start: 0, end: 10 }, parts: [{ id: 1, count: 1, members: [7] }] }, ctx);
  assert.deepEqual(reply, { [REDUCE_OP]: 'result', value: 5 });
});
