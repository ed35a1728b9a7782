import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValueTooDeepError } from '../src/codec.js';
import { CLONED_DEPTH, PostEncoder, decodePosted } from '../src/post-codec.js';

// The task transport's values: what the encoder sends, decodePosted gives
// back, in the same thread here (postMessage would copy the bytes). What
// cannot cross fails at encode or decode, with an error saying why.

const nested = (depth: number): unknown => {
  let value: unknown = {};
  for (let i = 0; i < depth; i++) value = { o: value };
  return value;
};

const tooDeep = 'the value is nested too deeply to be sent';

test('a primitive goes as it is; anything else as bytes that decode to an equal value of the same class', () => {
  const encoder = new PostEncoder();
  for (const value of [1, -0, Number.NaN, 'text', 'a\ud800b', true, null, undefined, 10n]) {
    assert.equal(encoder.encode(value, tooDeep), value);
    assert.equal(encoder.encoded, false, String(value));
  }
  for (const value of [{ a: [1, 'b'], d: new Date(5), m: new Map([[1, 2]]) }, Buffer.from('abc'), new Uint8Array([1, 2]), [1, 2]]) {
    const sent = encoder.encode(value, tooDeep);
    assert.equal(encoder.encoded, true);
    assert.ok(sent instanceof Uint8Array);
    const back = decodePosted(sent, true, tooDeep);
    assert.deepEqual(back, value);
    assert.equal(Object.getPrototypeOf(back), Object.getPrototypeOf(value), 'its class is kept');
  }
});

test('outputs go as they are when each is a primitive, else as bytes of the whole array', () => {
  const encoder = new PostEncoder();
  const flat = [1, 'two', null];
  assert.equal(encoder.encodeAll(flat, tooDeep), flat);
  assert.equal(encoder.encoded, false);
  const mixed = [1, { two: 2 }];
  const sent = encoder.encodeAll(mixed, tooDeep);
  assert.equal(encoder.encoded, true);
  assert.deepEqual(decodePosted(sent, true, tooDeep), mixed);
});

test('what structured clone cannot copy throws its own error at encode', () => {
  const encoder = new PostEncoder();
  for (const value of [() => 1, { f: () => 1 }, { s: Symbol('s') }, { w: new WeakMap() }, { p: Promise.resolve() }]) {
    assert.throws(() => encoder.encode(value, tooDeep), { name: 'DataCloneError' });
  }
  const getter = {
    get boom(): never {
      throw new RangeError('from the getter');
    },
  };
  assert.throws(() => encoder.encode(getter, tooDeep), { name: 'RangeError', message: 'from the getter' });
});

test('a value too deep to encode throws ValueTooDeepError; bytes too deep to decode here too', () => {
  const encoder = new PostEncoder();
  assert.throws(() => encoder.encode(nested(100_000), tooDeep), (error: unknown) => {
    assert.ok(error instanceof ValueTooDeepError);
    assert.equal(error.code, 'ERR_TIDEMARK_VALUE_TOO_DEEP');
    assert.match(error.message, /^the value is nested too deeply to be sent \(Maximum call stack size exceeded\)$/);
    return true;
  });
  // This thread's serializer writes 2,000 levels of objects; its deserializer cannot read them back.
  const bytes = encoder.encode(nested(2000), tooDeep);
  assert.equal(encoder.encoded, true);
  assert.throws(() => decodePosted(bytes, true, 'too deep to read here'), { name: 'ValueTooDeepError', message: /^too deep to read here/ });
});

test(`a value v8's serializer refuses (a SharedArrayBuffer inside) goes as it is, up to ${CLONED_DEPTH} levels`, () => {
  const encoder = new PostEncoder();
  const shared = new SharedArrayBuffer(8);
  const shallow = { shared, o: nested(CLONED_DEPTH - 2) }; // CLONED_DEPTH objects deep
  assert.equal(encoder.encode(shallow, tooDeep), shallow);
  assert.equal(encoder.encoded, false);
  const deep = { shared, o: nested(CLONED_DEPTH - 1) };
  assert.throws(() => encoder.encode(deep, tooDeep), {
    name: 'ValueTooDeepError',
    message: new RegExp(`^${tooDeep} \\(.*structured clone, at most ${CLONED_DEPTH} levels deep\\)$`),
  });
  // Arrays, Maps and Sets nest as objects do; a cycle ends the walk.
  const cyclic: Record<string, unknown> = { shared };
  cyclic.self = cyclic;
  assert.equal(encoder.encode(cyclic, tooDeep), cyclic);
  let layered: unknown = shared;
  for (let i = 0; i < CLONED_DEPTH; i++) layered = i % 3 === 0 ? [layered] : i % 3 === 1 ? new Map([[i, layered]]) : new Set([layered]);
  assert.throws(() => encoder.encode({ layered }, tooDeep), { name: 'ValueTooDeepError' });
});
