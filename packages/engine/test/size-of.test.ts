import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { sizeOf } from '../src/index.js';

test('sizeOf: UTF-8 bytes of strings, byteLength of binary data, 8 per scalar, parts plus 8 per entry', () => {
  assert.equal(sizeOf('héllo'), 6);
  assert.equal(sizeOf(new Uint8Array(100)), 100);
  assert.equal(sizeOf(Buffer.alloc(7)), 7);
  assert.equal(sizeOf(new ArrayBuffer(16)), 16);
  assert.equal(sizeOf(42), 8);
  assert.equal(sizeOf(null), 8);
  assert.equal(sizeOf([1, 'ab']), 2 * 8 + 8 + 2);
  assert.equal(sizeOf({ a: 1, bc: 'xyz' }), 8 + 1 + 8 + 8 + 2 + 3);
  assert.equal(sizeOf(new Map([['k', 1]])), 8 + 1 + 8);
  assert.equal(sizeOf(new Set(['abcd'])), 8 + 4);
  const shared = 'x'.repeat(100);
  assert.equal(sizeOf([shared, shared]), 16 + 200, 'equal strings are counted each time');
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assert.equal(sizeOf(cyclic), 8 + 1 + 8 + 8 + 4, 'an object reached twice counts once');
});

/** sizeOf's rule written out for a tree of plain data (no part reached twice). */
function model(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value !== 'object' || value === null) return 8;
  if (Array.isArray(value)) return value.reduce((sum: number, item: unknown) => sum + 8 + model(item), 0);
  return Object.entries(value).reduce((sum, [key, item]) => sum + 8 + Buffer.byteLength(key) + model(item), 0);
}

test('sizeOf of plain data is the rule written out, and a value reached twice counts once unless it is a string or a scalar', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const size = model(value);
      assert.equal(sizeOf(value), size);
      const shared = typeof value === 'object' && value !== null;
      assert.equal(sizeOf([value, value]), 16 + size + (shared ? 0 : size));
    }),
  );
});
