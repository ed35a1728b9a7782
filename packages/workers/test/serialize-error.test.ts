import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serializeError } from '../src/index.js';

test('an Error keeps its name, code, message and stack as plain data', () => {
  const error = Object.assign(new RangeError('too far'), { code: 'E_FAR' });
  const data = serializeError(error);
  assert.deepEqual(data, { name: 'RangeError', code: 'E_FAR', message: 'too far', stack: error.stack });
  assert.deepEqual(structuredClone(data), data, 'it survives structured clone unchanged');
});

test('a numeric code becomes a string; a missing code stays undefined', () => {
  assert.equal(serializeError(Object.assign(new Error('x'), { code: 7 })).code, '7');
  assert.equal(serializeError(new Error('x')).code, undefined);
});

test('thrown non-errors become NonError with a readable message', () => {
  assert.deepEqual(serializeError('plain'), { name: 'NonError', code: undefined, message: 'plain', stack: undefined });
  assert.equal(serializeError({ a: 1 }).message, '{"a":1}');
  assert.equal(serializeError(undefined).message, 'undefined');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(serializeError(cyclic).message, '[object Object]');
});

test('a code that is not a string becomes text that says what it was', () => {
  const withCode = (code: unknown) => Object.assign(new Error('x'), { code });
  assert.equal(serializeError(withCode(42)).code, '42');
  assert.equal(serializeError(withCode(10n)).code, '10');
  assert.equal(serializeError(withCode({ kind: 'db', n: 1 })).code, '{"kind":"db","n":1}');
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.equal(serializeError(withCode(cycle)).code, 'object');
  assert.equal(serializeError(withCode(Symbol('s'))).code, 'symbol');
});

test('never throws, whatever was thrown: throwing getters, a revoked Proxy, a value whose toString throws', () => {
  const hostile = new Error('x');
  // `stack` first: redefining it formats the stack, which reads `name`.
  for (const field of ['stack', 'name', 'message', 'code']) {
    Object.defineProperty(hostile, field, {
      get() {
        throw new Error(`${field} getter`);
      },
    });
  }
  assert.deepEqual(serializeError(hostile), { name: 'Error', code: undefined, message: '', stack: undefined });
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  assert.equal(serializeError(proxy).name, 'NonError');
  const unprintable = {
    toJSON() {
      throw new Error('toJSON');
    },
    toString() {
      throw new Error('toString');
    },
  };
  assert.deepEqual(serializeError(unprintable), { name: 'NonError', code: undefined, message: 'object', stack: undefined });
  assert.equal(serializeError(Object.assign(new Error('m'), { name: 42 })).name, '42', 'a name that is not a string, as text');
});

