import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Tag, ValueEncoder, decodeValue } from '../src/codec.js';

/** Encode into a SharedArrayBuffer at an odd position, as a ring record would, and decode. */
function roundTrip(value: unknown): { tag: number; out: unknown } {
  const encoder = new ValueEncoder();
  const size = encoder.measure(value);
  const target = Buffer.from(new SharedArrayBuffer(size + 16), 0, size + 16);
  encoder.write(target, 12, size);
  const out = decodeValue(encoder.tag, target, 12, size);
  return { tag: encoder.tag, out };
}

test('each kind of value comes back equal, with its own tag and class, in memory of its own', () => {
  const rows: [unknown, number][] = [
    [undefined, Tag.undefined],
    [null, Tag.null],
    [true, Tag.true],
    [false, Tag.false],
    [-0.5, Tag.number],
    [Number.NaN, Tag.number],
    ['héllo ✓', Tag.string],
    ['', Tag.string],
    // UTF-8 would turn a lone surrogate into U+FFFD.
    ['a\ud800b', Tag.v8],
    [new Uint8Array([1, 2, 3]), Tag.bytes],
    [Buffer.from('abc'), Tag.buffer],
    [{ a: [1, 'b', { c: null }], d: new Date(5), m: new Map([[1, 2]]) }, Tag.v8],
  ];
  for (const [value, tag] of rows) {
    const { tag: got, out } = roundTrip(value);
    assert.equal(got, tag, String(value));
    assert.deepEqual(out, value);
    if (value instanceof Uint8Array) {
      assert.equal(Object.getPrototypeOf(out), Object.getPrototypeOf(value), 'Uint8Array stays Uint8Array, Buffer stays Buffer');
      assert.ok(!((out as Uint8Array).buffer instanceof SharedArrayBuffer), 'a copy, not a view of the ring');
    }
  }
});

test('any JSON-like value round-trips', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      assert.deepEqual(roundTrip(value).out, value);
    }),
    { numRuns: 2000 },
  );
});

test('a value the codec cannot encode throws, so the caller can fall back to structured clone', () => {
  assert.throws(() => new ValueEncoder().measure({ f: () => 1 }));
});
