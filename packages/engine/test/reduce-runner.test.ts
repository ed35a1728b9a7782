import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDUCE_OP, reduceRunnerUrl } from '@tidemark/workers';
import { Engine, TransformLoadError } from '../src/index.js';
import type { EngineRecord, SourceRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { recordsOf, within } from './helpers/wait.js';

// The reduce runner in real workers: the engine loads reduceRunnerUrl(a
// reduce module) as the transform and passes each message's value (a
// reduce op, hand-made here) to it. One thread, so that every key's state
// is on it whatever the transport; runs follow one another on one engine,
// whose workers keep their state between runs.

const window = { start: 0, end: 10 };
const add = (key: string, value: unknown, id = 1, part = window): SourceRecord => ({ key, value: { [REDUCE_OP]: 'add', parts: [{ id, ...part }], value } });
const result = (key: string, parts: [id: number, count: number][], values?: unknown[]): SourceRecord => ({
  key,
  value: { [REDUCE_OP]: 'result', window, parts: parts.map(([id, count]) => ({ id, count })), ...(values === undefined ? {} : { values }) },
});


const valueOf = (records: EngineRecord[], key: string): unknown => {
  const record = records.find((r) => r.key === key);
  assert.ok(record?.kind === 'output', `an output for ${key}: ${JSON.stringify(record)}`);
  return record.value;
};

forEachTransport((transport) => {
  const engineFor = (t: { after(fn: () => Promise<void>): void }, module: string): Engine => {
    const engine = new Engine({ transport, transform: reduceRunnerUrl(fixture(`reduce/${module}`).href), threads: 1, concurrency: 4, retry: { attempts: 1 } });
    t.after(() => within(engine.close(), 'the engine to close'));
    return engine;
  };

  test('adds then a result give the window\'s result; a wrong count gives the missing marker; a recompute uses its values', async (t) => {
    const engine = engineFor(t, 'collect-sorted.js');
    const adds = await recordsOf(engine, [add('k', 3), add('k', 1), add('j', 10), add('k', 2), add('j', 20)]);
    assert.deepEqual(adds, [], 'an add has no output');

    const results = await recordsOf(engine, [result('k', [[1, 3]]), result('j', [[1, 3]])]);
    assert.deepEqual(valueOf(results, 'k'), { [REDUCE_OP]: 'result', value: { key: 'k', window, values: [1, 2, 3] } });
    assert.deepEqual(valueOf(results, 'j'), { [REDUCE_OP]: 'missing' }, 'j saw two adds, not three');

    const again = await recordsOf(engine, [result('j', [[1, 2]]), result('j2', [[1, 2]], [20, 10, 5])]);
    assert.deepEqual(valueOf(again, 'j'), { [REDUCE_OP]: 'missing' }, 'the missing answer forgot j\'s part');
    assert.deepEqual(valueOf(again, 'j2'), { [REDUCE_OP]: 'result', value: { key: 'j2', window, values: [5, 10, 20] } });

    const recompute = await recordsOf(engine, [result('j', [[1, 2]], [20, 10])]);
    assert.deepEqual(valueOf(recompute, 'j'), { [REDUCE_OP]: 'result', value: { key: 'j', window, values: [10, 20] } });
  });

  test('several parts merge into one result; without merge, the result fails saying so', async (t) => {
    const sum = engineFor(t, 'sum.js');
    await recordsOf(sum, [add('s', 1, 1), add('s', 2, 2), add('s', 4, 2)]);
    assert.deepEqual(valueOf(await recordsOf(sum, [result('s', [[1, 1], [2, 2]])]), 's'), { [REDUCE_OP]: 'result', value: 7 });

    const noMerge = engineFor(t, 'no-merge.js');
    await recordsOf(noMerge, [add('s', 1, 1), add('s', 2, 2)]);
    const [failed] = await recordsOf(noMerge, [result('s', [[1, 1], [2, 1]])]);
    assert.equal(failed?.kind, 'failed');
    assert.match(failed.error.message, /the reduce module has no `merge`, which a window made of 2 parts needs/u);
    // One part at a time is fine.
    assert.deepEqual(valueOf(await recordsOf(noMerge, [result('s', [[2, 1]])]), 's'), { [REDUCE_OP]: 'result', value: 2 });
  });

  test('an input that is no reduce op fails its message with a TypeError', async (t) => {
    const engine = engineFor(t, 'sum.js');
    const [failed] = await recordsOf(engine, [{ key: 'k', value: 5 }]);
    assert.equal(failed?.kind, 'failed');
    assert.match(failed.error.message, /the reduce runner got an input that is not a reduce op: got `5` \(number\)/u);
  });

  for (const [module, message] of [
    ['not-an-object.js', /must have a default export object \{ create, add, result, merge\? \}, got function/u],
    ['missing-add.js', /its default export's `add` must be a function, got undefined/u],
    ['bad-merge.js', /its default export's `merge` must be a function when present, got number/u],
    ['absent.js', /cannot load reduce module file:\/\/\S+\/absent\.js/u],
  ] as const) {
    test(`a reduce module that cannot be used (${module}) fails the start with TransformLoadError`, async (t) => {
      const engine = engineFor(t, module);
      const error = await recordsOf(engine, [add('k', 1)]).then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(error instanceof TransformLoadError, `a TransformLoadError, got ${String(error)}`);
      assert.match(error.message, message);
    });
  }
});
