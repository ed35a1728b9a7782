import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ratioChecks, roundOrder, summarize } from '../src/gzip-summary.js';
import type { RoundFigure } from '../src/gzip-summary.js';

test('rounds alternate which contender goes first: A B, B A, A B', () => {
  assert.deepEqual([0, 1, 2].map((r) => roundOrder(['engine', 'tinypool'], r)), [
    ['engine', 'tinypool'],
    ['tinypool', 'engine'],
    ['engine', 'tinypool'],
  ]);
  assert.deepEqual(roundOrder(['engine', 'tinypool', 'piscina'], 1), ['piscina', 'tinypool', 'engine']);
});

const figures = (contender: string, concurrency: number, rates: number[]): RoundFigure[] =>
  rates.map((filesPerSecond, round) => ({ contender, concurrency, round, filesPerSecond, megabytesPerSecond: filesPerSecond / 100 }));

test('medians per contender and concurrency, the ratio of medians over tinypool and the ratio of each round', () => {
  const runs = [
    // Listed out of round order: the summary sorts by round.
    ...figures('engine', 2, [900, 1000, 950]).reverse(),
    ...figures('tinypool', 2, [1000, 1000, 1000]),
    ...figures('piscina', 2, [800, 1200, 1000]),
    ...figures('engine', 8, [1100, 1050, 1200]),
    ...figures('tinypool', 8, [1000, 1100, 1000]),
  ];
  const summaries = summarize(runs, 'tinypool');
  assert.deepEqual(
    summaries.map((s) => [s.contender, s.concurrency]),
    [
      ['engine', 2],
      ['tinypool', 2],
      ['piscina', 2],
      ['engine', 8],
      ['tinypool', 8],
    ],
  );
  const [engine2, tinypool2, piscina2, engine8] = summaries;
  assert.deepEqual(engine2?.filesPerSecond, [950, 1000, 900].reverse());
  assert.equal(engine2?.medianFilesPerSecond, 950);
  assert.equal(engine2?.medianMegabytesPerSecond, 9.5);
  assert.equal(engine2?.ratio, 0.95);
  assert.deepEqual(engine2?.roundRatios, [0.9, 1, 0.95]);
  assert.equal(tinypool2?.ratio, 1);
  assert.equal(piscina2?.medianFilesPerSecond, 1000);
  assert.deepEqual(piscina2?.roundRatios, [0.8, 1.2, 1]);
  assert.equal(engine8?.ratio, 1100 / 1000);
  assert.deepEqual(engine8?.roundRatios, [1.1, 1050 / 1100, 1.2]);

  assert.deepEqual(ratioChecks(summaries, 'engine', 'tinypool'), [
    { name: 'c2 engine / tinypool >= 1.00', pass: false, detail: '0.950 (rounds 0.90, 1.00, 0.95)' },
    { name: 'c8 engine / tinypool >= 1.00', pass: true, detail: '1.100 (rounds 1.10, 0.95, 1.20)' },
  ]);
});

test('a ratio of exactly 1.00 passes', () => {
  const summaries = summarize([...figures('engine', 4, [500]), ...figures('tinypool', 4, [500])], 'tinypool');
  assert.equal(ratioChecks(summaries, 'engine', 'tinypool')[0]?.pass, true);
});
