import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeFrame, encodeFrame, isJsonSafe } from '../src/embed/frame-codec.js';

/** Values as they cross a WebSocket: JSON's and those only devalue carries, nested. */
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0),
    fc.bigInt(),
    fc.date({ noInvalidDate: true }),
  ),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('node'), { maxKeys: 4 })),
})).node;

test('a frame gives back the message it was made from: JSON when JSON carries it exactly, devalue otherwise', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), value, { maxKeys: 5 }), (message) => {
      const frame = encodeFrame(message);
      assert.deepStrictEqual(decodeFrame(frame), message);
      assert.equal(frame.startsWith('{'), isJsonSafe(message), 'JSON exactly when it is safe');
    }),
    { numRuns: 500 },
  );
});

test('what JSON would change is never sent as JSON', () => {
  for (const unsafe of [{ a: undefined }, { a: Number.NaN }, { a: -0 }, { a: [undefined] }, { a: new Date(0) }, { a: new Map() }, { a: 1n }, { a: Number.POSITIVE_INFINITY }]) {
    assert.equal(isJsonSafe(unsafe), false, JSON.stringify(Object.keys(unsafe)));
    assert.deepStrictEqual(decodeFrame(encodeFrame(unsafe)), unsafe);
  }
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.equal(isJsonSafe(cycle), false);
  const back = decodeFrame(encodeFrame(cycle)) as Record<string, unknown>;
  assert.equal(back.self, back);
});
