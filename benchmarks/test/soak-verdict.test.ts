import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inFlightCheck, rssCheck, soakFractions } from '../src/soak-verdict.js';

const mib = 2 ** 20;

test('the soak takes checkpoints from the first 1% on', () => {
  assert.deepEqual(soakFractions, [0.01, 0.1, 0.5, 1]);
});

test('RSS at 100% within 20% of RSS at 1% passes; past it fails, growth or shrinkage', () => {
  assert.deepEqual(rssCheck({ run: 'engine', first: 100 * mib, last: 118 * mib }), {
    name: 'engine: RSS at 100% / RSS at 1% within 20%',
    pass: true,
    detail: '1.180',
  });
  assert.equal(rssCheck({ run: 'engine', first: 100 * mib, last: 120 * mib }).pass, true);
  assert.equal(rssCheck({ run: 'engine', first: 100 * mib, last: 121 * mib }).pass, false);
  assert.equal(rssCheck({ run: 'engine', first: 100 * mib, last: 79 * mib }).pass, false);
});

test('in flight at its bound passes; one over fails', () => {
  assert.deepEqual(inFlightCheck({ run: 'engine, output block', max: 201, bound: 201 }), {
    name: 'engine, output block: in flight never above its bound',
    pass: true,
    detail: 'max 201 of 201',
  });
  assert.deepEqual(inFlightCheck({ run: 'e', max: 202, bound: 201 }), { name: 'e: in flight never above its bound', pass: false, detail: 'max 202 of 201' });
});

test('a run that measured nothing fails both checks', () => {
  assert.equal(inFlightCheck({ run: 'e', max: Number.NaN, bound: 201 }).pass, false);
  assert.equal(rssCheck({ run: 'e', first: 0, last: 0 }).pass, false);
});
