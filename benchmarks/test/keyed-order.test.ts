import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeViolation, orderViolations, overlapViolations } from '../src/keyed-order.js';
import type { KeyedSpan } from '../src/keyed-order.js';

test('outputs in offset order per key, interleaved across keys, have no breach', () => {
  const outputs = [
    { key: 'a', offset: 0 },
    { key: 'b', offset: 3 },
    { key: 'a', offset: 1 },
    { key: 'b', offset: 4 },
    { key: 'a', offset: 7 },
  ];
  assert.deepEqual(orderViolations(outputs), []);
});

test('an output after a later offset of its key is a breach, named against the highest seen', () => {
  const outputs = [
    { key: 'a', offset: 5 },
    { key: 'a', offset: 9 },
    { key: 'a', offset: 2 },
    { key: 'b', offset: 1 },
    { key: 'a', offset: 7 },
  ];
  assert.deepEqual(orderViolations(outputs), [
    { kind: 'order', key: 'a', offset: 2, against: 9 },
    { kind: 'order', key: 'a', offset: 7, against: 9 },
  ]);
});

test('outputs without a key are never a breach', () => {
  assert.deepEqual(
    orderViolations([
      { key: undefined, offset: 4 },
      { key: undefined, offset: 1 },
    ]),
    [],
  );
});

const span = (key: string | undefined, offset: number, startedAt: number, endedAt: number): KeyedSpan => ({ key, offset, startedAt, endedAt });

test('a key whose messages ran back to back, in any input order, has no overlap', () => {
  const spans = [span('a', 2, 20, 30), span('a', 0, 0, 10), span('a', 1, 10, 20), span('b', 3, 0, 40)];
  assert.deepEqual(overlapViolations(spans), []);
});

test('a message started before the previous offset of its key ended is an overlap', () => {
  const spans = [span('a', 0, 0, 10), span('a', 1, 9.5, 20), span('b', 2, 0, 5), span('b', 5, 4, 8), span('a', 4, 25, 30)];
  assert.deepEqual(overlapViolations(spans), [
    { kind: 'overlap', key: 'a', offset: 1, against: 0 },
    { kind: 'overlap', key: 'b', offset: 5, against: 2 },
  ]);
});

test('spans without a key are never an overlap', () => {
  assert.deepEqual(overlapViolations([span(undefined, 0, 0, 10), span(undefined, 1, 1, 2)]), []);
});

test('a breach reads as one line', () => {
  assert.equal(describeViolation({ kind: 'order', key: 'k3', offset: 120, against: 141 }), 'order: k3 offset 120 yielded after offset 141');
  assert.equal(
    describeViolation({ kind: 'overlap', key: 'k3', offset: 141, against: 120 }),
    'overlap: k3 offset 141 started before offset 120 ended',
  );
});
