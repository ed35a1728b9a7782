import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AckTimes } from '../src/brain-run.js';
import { lowFigures } from '../src/brain-starvation.js';
import type { StarvationRun } from '../src/brain-starvation.js';
import { starvationCells } from '../src/brain-tables.js';

const ack = (seq: number, readAt: number, ackedAt: number, priority?: number): AckTimes => ({ seq, readAt, ackedAt, priority });
const isLow = (a: AckTimes): boolean => a.seq < 3;

test('low figures: lows acked before the last read count as done while highs arrived; waits read to ack', () => {
  // Lows 0–2 read at 0–2; highs 3–5 read up to 1100 (the last read). Low 2 is acked after it.
  const acks = [ack(3, 500, 520), ack(0, 0, 10), ack(4, 900, 1250), ack(1, 1, 1050), ack(5, 1100, 1400), ack(2, 2, 1302)];
  assert.deepEqual(lowFigures(acks, isLow), {
    messages: 6,
    lastReadAt: 1100,
    maxWait: 1300,
    lowSent: 3,
    lowWhileHighs: 2,
    lowMaxWait: 1300,
    lastLowAfterEnd: 202,
  });
});

test('low figures: an ack at the very moment of the last read is not before it', () => {
  const figures = lowFigures([ack(0, 0, 700), ack(3, 700, 750)], isLow);
  assert.equal(figures.lowWhileHighs, 0);
  assert.equal(figures.lastLowAfterEnd, 0);
});

test('low figures: every low done early gives a negative last-low offset; no lows or no acks give NaN', () => {
  const early = lowFigures([ack(0, 0, 5), ack(1, 0, 8), ack(3, 10, 300), ack(4, 400, 420)], isLow);
  assert.equal(early.lowWhileHighs, 2);
  assert.equal(early.lastLowAfterEnd, -392);
  assert.equal(early.lowMaxWait, 8);
  const highsOnly = lowFigures([ack(3, 0, 5), ack(4, 1, 9)], isLow);
  assert.equal(highsOnly.lowSent, 0);
  assert.ok(Number.isNaN(highsOnly.lowMaxWait) && Number.isNaN(highsOnly.lastLowAfterEnd));
  assert.equal(highsOnly.maxWait, 8);
  const none = lowFigures([], isLow);
  assert.equal(none.messages, 0);
  assert.ok(Number.isNaN(none.lastReadAt) && Number.isNaN(none.maxWait));
});

test('starvation table: one row per run, the starved count is the lows not done while highs arrived', () => {
  const run: StarvationRun = {
    name: 'priority, aging off',
    round: 1,
    throughput: 1580.4,
    highsFor: 4.812,
    drainMs: 253.1,
    messages: 8000,
    lastReadAt: 5000,
    maxWait: 5012.6,
    lowSent: 200,
    lowWhileHighs: 8,
    lowMaxWait: 5012.6,
    lastLowAfterEnd: 371.2,
  };
  assert.deepEqual(starvationCells([run]).rows, [['priority, aging off', '2', '1,580', '4.81', '5,013', '253', '8 of 200', '192', '5,013', '371']]);
  assert.equal(starvationCells([]).header.length, 10);
});
