import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drop, fanOut, toValues } from '../src/index.js';

test('a plain return value is one output, whatever it is', () => {
  assert.deepEqual(toValues(5), [5]);
  assert.deepEqual(toValues(undefined), [undefined]);
  assert.deepEqual(toValues([1, 2]), [[1, 2]]);
  assert.deepEqual(toValues({ values: [1, 2] }), [{ values: [1, 2] }], 'look-alikes are not fan-outs');
});

test('drop() is no output and fanOut() is one output per argument, in order', () => {
  assert.deepEqual(toValues(drop()), []);
  assert.deepEqual(toValues(fanOut('a', 'b', 'c')), ['a', 'b', 'c']);
  assert.deepEqual(toValues(fanOut()), []);
});
