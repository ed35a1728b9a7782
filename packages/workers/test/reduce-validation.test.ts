import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TransformModuleError } from '../src/load-transform.js';
import { checkReduceModule } from '../src/reduce/reduce-module.js';
import { REDUCE_MISSING, REDUCE_OP, asReduceReply, parseReduceOp, reduceResultReply } from '../src/reduce/reduce-protocol.js';
import { reduceRunnerUrl } from '../src/reduce/reduce-runner-url.js';
import { ReduceStore } from '../src/reduce/reduce-store.js';

// What the reduce runner refuses, and how: a module that is no reduce
// module (TransformModuleError, which fails the engine's start), and an
// input that is no reduce op (TypeError, which fails that message's try).

const url = 'file:///reduce.js';
const fn = () => 0;

test('a default export that is no reduce module is refused, naming what is wrong', () => {
  const cases: [candidate: unknown, message: RegExp][] = [
    [undefined, /must have a default export object \{ create, add, result, merge\? \}, got undefined$/u],
    [null, /must have a default export object \{ create, add, result, merge\? \}, got null$/u],
    [fn, /must have a default export object \{ create, add, result, merge\? \}, got function$/u],
    [{ add: fn, result: fn }, /its default export's `create` must be a function, got undefined$/u],
    [{ create: fn, result: fn }, /its default export's `add` must be a function, got undefined$/u],
    [{ create: fn, add: fn, result: 'x' }, /its default export's `result` must be a function, got string$/u],
    [{ create: fn, add: fn, result: fn, merge: 42 }, /its default export's `merge` must be a function when present, got number$/u],
  ];
  for (const [candidate, message] of cases) {
    assert.throws(
      () => checkReduceModule(candidate, url),
      (error: unknown) => {
        assert.ok(error instanceof TransformModuleError);
        assert.equal(error.code, 'ERR_TIDEMARK_TRANSFORM_MODULE');
        assert.match(error.message, new RegExp(`^reduce module ${url}`, 'u'));
        assert.match(error.message, message);
        return true;
      },
    );
  }
  const module = { create: fn, add: fn, result: fn };
  assert.equal(checkReduceModule(module, url), module, 'merge may be left out');
});

test('an input that is no reduce op fails its try with a TypeError naming what is wrong', async () => {
  const window = { start: 0, end: 10 };
  const cases: [input: unknown, message: RegExp][] = [
    [42, /got `42` \(number\)$/u],
    [null, /got `null` \(object\)$/u],
    [{ value: 1 }, /its __tidemarkReduce field must be 'add' or 'result', got `undefined` \(undefined\)$/u],
    [{ [REDUCE_OP]: 'sum' }, /its __tidemarkReduce field must be 'add' or 'result', got 'sum' \(string\)$/u],
    [{ [REDUCE_OP]: 'add', parts: 'x', value: 1 }, /an add op's parts must be an array, got 'x' \(string\)$/u],
    [{ [REDUCE_OP]: 'add', parts: [], value: 1 }, /an add op lists no parts$/u],
    [{ [REDUCE_OP]: 'add', parts: [7], value: 1 }, /parts\[0\] must be an object, got `7` \(number\)$/u],
    [{ [REDUCE_OP]: 'add', parts: [{ id: {}, ...window }], value: 1 }, /parts\[0\]\.id must be a string or a finite number, got an object$/u],
    [{ [REDUCE_OP]: 'add', parts: [{ id: 1, start: 5, end: 5 }], value: 1 }, /parts\[0\] must have finite numbers start < end, got start `5` \(number\), end `5` \(number\)$/u],
    [{ [REDUCE_OP]: 'add', parts: [{ id: 1, ...window }, { id: 1, ...window }], value: 1 }, /parts\[1\]\.id `1` \(number\) is listed twice$/u],
    [{ [REDUCE_OP]: 'result', parts: [{ id: 1, count: 1 }] }, /window must have finite numbers start < end, got start `undefined`/u],
    [{ [REDUCE_OP]: 'result', window, parts: [{ id: 1, count: -1 }] }, /parts\[0\]\.count must be an integer from 0 up, got `-1` \(number\)$/u],
    [{ [REDUCE_OP]: 'result', window, parts: [{ id: 'p', count: 1 }], values: 3 }, /values must be an array, got `3` \(number\)$/u],
    [{ [REDUCE_OP]: 'result', window, parts: [] }, /a result op without values lists no parts$/u],
  ];
  const store = new ReduceStore({ create: fn, add: fn, result: fn });
  const ctx = { offset: 0, key: 'k', eventTime: 0, attempt: 1, signal: new AbortController().signal };
  for (const [input, message] of cases) {
    assert.throws(() => parseReduceOp(input), { name: 'TypeError', message });
    await assert.rejects(store.run(input, ctx), { name: 'TypeError', message: /^the reduce runner got an input that is not a reduce op: / });
  }
  assert.equal(store.busyKeys, 0);
});

test('replies read back as replies; anything else is none', () => {
  assert.deepEqual(asReduceReply(structuredClone(reduceResultReply({ total: 3 }))), { [REDUCE_OP]: 'result', value: { total: 3 } });
  assert.deepEqual(asReduceReply(structuredClone(REDUCE_MISSING)), REDUCE_MISSING);
  assert.equal(asReduceReply(structuredClone(reduceResultReply(undefined)))?.[REDUCE_OP], 'result', 'a result of undefined is a result');
  for (const other of [undefined, 3, 'result', { [REDUCE_OP]: 'result' }, { [REDUCE_OP]: 'add', value: 1 }]) assert.equal(asReduceReply(other), undefined);
});

test('reduceRunnerUrl names the runner with the module URL in its query, whatever it holds', () => {
  for (const moduleUrl of ['file:///a/sum.js', 'file:///a%20b/s&m.js?v=1&x=%2F#frag', 'data:text/javascript,export default {}']) {
    const runner = new URL(reduceRunnerUrl(moduleUrl));
    assert.match(runner.pathname, /\/reduce\/reduce-runner\.js$/u);
    assert.equal(runner.search, `?module=${encodeURIComponent(moduleUrl)}`);
    assert.equal(runner.searchParams.get('module'), moduleUrl);
  }
});
