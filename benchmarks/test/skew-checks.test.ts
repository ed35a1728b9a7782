import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SkewResult } from '@tidemark/engine/workload';
import { skewChecks } from '../src/skew-checks.js';

/** A fabricated result: only what the checks read matters, the rest is filler. */
function result(over: Partial<SkewResult> & Pick<SkewResult, 'family' | 'distribution' | 'mode' | 'concurrency' | 'throughput'>): SkewResult {
  const oracleThroughput = over.oracleThroughput ?? 3200;
  return {
    threads: 2,
    messages: 4800,
    meanMs: 10,
    seed: 42,
    wallThroughput: 0,
    oracleThroughput,
    efficiency: over.throughput / oracleThroughput,
    workerBusyShare: 0,
    measuredMeanMs: 10,
    sampledMeanMs: 10,
    oracleMeanMs: 10,
    latencyP50: 0,
    latencyP99: 0,
    lagP50: 0,
    lagP99: 0,
    failed: 0,
    seconds: 1,
    ...over,
  };
}

const pair = (family: SkewResult['family'], distribution: SkewResult['distribution'], concurrency: number, asyncRate: number, batchRate: number) => [
  result({ family, distribution, concurrency, mode: 'async', throughput: asyncRate }),
  result({ family, distribution, concurrency, mode: 'batch', throughput: batchRate }),
];

test('await/lognormal at 32: efficiency against the oracle and async/batch, both passing', () => {
  // 2976 / 3200 = 0.93 >= 0.90; 2976 / 600 = 4.96 >= 2.5.
  const checks = skewChecks(pair('await', 'lognormal', 32, 2976, 600));
  assert.deepEqual(checks, [
    { name: 'await/lognormal/c32 async efficiency (msg/s / oracle) >= 0.90', pass: true, detail: '0.930 (2976 / 3200)' },
    { name: 'await/lognormal/c32 async/batch >= 2.5', pass: true, detail: '4.96' },
  ]);
});

test('an efficiency just under 0.90 of the oracle fails; exactly 0.90 passes', () => {
  const [under] = skewChecks(pair('blocking', 'uniform', 32, 2879, 2000)); // 0.8997
  assert.equal(under?.pass, false);
  assert.equal(under?.detail, '0.900 (2879 / 3200)');
  const [at] = skewChecks(pair('blocking', 'uniform', 32, 2880, 2000)); // 0.9
  assert.equal(at?.pass, true);
});

test('async/batch under 2.5 on Pareto fails; uniform has no ratio check', () => {
  const pareto = skewChecks(pair('await', 'pareto', 32, 3000, 1250)); // 2.4
  assert.deepEqual(
    pareto.map((c) => [c.name, c.pass, c.detail]),
    [
      ['await/pareto/c32 async efficiency (msg/s / oracle) >= 0.90', true, '0.938 (3000 / 3200)'],
      ['await/pareto/c32 async/batch >= 2.5', false, '2.40'],
    ],
  );
  assert.equal(skewChecks(pair('await', 'uniform', 32, 3000, 2900)).length, 1);
});

test('concurrency 8 is not checked; the cpu family checks async >= batch at any concurrency', () => {
  assert.deepEqual(skewChecks(pair('await', 'lognormal', 8, 100, 100)), []);
  assert.deepEqual(skewChecks(pair('cpu', 'bimodal', 4, 1900, 2000)), [{ name: 'cpu/bimodal/c4 async >= batch', pass: false, detail: '0.95' }]);
  assert.equal(skewChecks(pair('cpu', 'bimodal', 4, 2000, 2000))[0]?.pass, true);
});

test('a scenario without its batch run fails its ratio check', () => {
  const checks = skewChecks([result({ family: 'cpu', distribution: 'pareto', concurrency: 2, mode: 'async', throughput: 900 })]);
  assert.deepEqual(checks, [{ name: 'cpu/pareto/c2 async >= batch', pass: false, detail: 'NaN' }]);
});

test('a batch run of another seed is not taken as the pair', () => {
  const [async] = pair('cpu', 'pareto', 2, 900, 0);
  const otherSeed = result({ family: 'cpu', distribution: 'pareto', concurrency: 2, mode: 'batch', throughput: 100, seed: 7 });
  assert.equal(skewChecks([async as SkewResult, otherSeed])[0]?.pass, false);
});
