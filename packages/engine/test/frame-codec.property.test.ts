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

/** Whether an own `__proto__` property is anywhere in `value` (the generators make objects and arrays only). */
function hasOwnProto(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.hasOwn(value, '__proto__') || Object.values(value).some(hasOwnProto);
}

test('a frame gives back the message it was made from: JSON when JSON carries it exactly, devalue otherwise', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), value, { maxKeys: 5 }), (message) => {
      let frame: string;
      try {
        frame = encodeFrame(message);
      } catch (error) {
        // devalue would make an own `__proto__` key the prototype: such a message is refused, never mangled.
        assert.match(String(error), /own `__proto__` key/);
        assert.ok(!isJsonSafe(message) && hasOwnProto(message), 'refused only for an own __proto__ key JSON cannot carry');
        return;
      }
      assert.deepStrictEqual(decodeFrame(frame), message);
      assert.equal(frame.startsWith('{'), isJsonSafe(message), 'JSON exactly when it is safe');
    }),
    { numRuns: 500 },
  );
});

test('an own __proto__ key: carried as JSON when JSON carries the message, refused rather than lost otherwise (found by the property above)', () => {
  const safe = JSON.parse('{"__proto__":1,"a":2}') as Record<string, unknown>;
  assert.deepStrictEqual(decodeFrame(encodeFrame(safe)), safe);
  const unsafe = JSON.parse('{"__proto__":1}') as Record<string, unknown>;
  unsafe['__proto__'] = Number.NaN; // still its own property: the assignment goes to it, not to the prototype
  assert.ok(Object.hasOwn(unsafe, '__proto__'));
  assert.throws(() => encodeFrame(unsafe), /own `__proto__` key/);
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
