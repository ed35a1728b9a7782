import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { skewScenarios } from '../src/skew-suite.js';

test('the cpu family runs concurrency = threads = availableParallelism()', () => {
  const cores = availableParallelism();
  const scenarios = skewScenarios({ seconds: 1, families: ['cpu'], distributions: ['uniform'], seed: 1 });
  assert.deepEqual(
    scenarios.map((s) => [s.mode, s.concurrency, s.threads, s.meanMs, s.messages]),
    [
      ['async', cores, cores, 2, 500 * cores],
      ['batch', cores, cores, 2, 500 * cores],
    ],
  );
});

test('await and blocking run 8 and 32 in flight, 10 ms mean, batch beside async on the same messages and seed', () => {
  const scenarios = skewScenarios({ seconds: 1.5, families: ['await', 'blocking'], distributions: ['lognormal', 'pareto'], seed: 42 });
  assert.equal(scenarios.length, 2 * 2 * 2 * 2);
  for (const s of scenarios) {
    assert.equal(s.meanMs, 10);
    assert.equal(s.seed, 42);
    assert.equal(s.messages, (1.5 * 1000 * s.concurrency) / 10);
    assert.equal(s.threads, undefined, 'the engine picks the family default');
  }
  assert.deepEqual([...new Set(scenarios.map((s) => s.concurrency))], [8, 32]);
  for (let i = 0; i < scenarios.length; i += 2) {
    const [a, b] = [scenarios[i], scenarios[i + 1]];
    assert.equal(a?.mode, 'async');
    assert.deepEqual({ ...b, mode: 'async' }, a);
  }
});
