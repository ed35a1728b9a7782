import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFigures, summarizeNumaflow } from '../src/numaflow-summary.js';
import type { NumaflowRun } from '../src/numaflow-summary.js';

test('a pass: msg/s over its seconds, nearest-rank p50 and p99 of the latencies', () => {
  const latenciesMs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 .. 1, in any order
  const run = runFigures('tidemark', 'threads 2', 0, { seconds: 4, latenciesMs });
  assert.deepEqual(run, { contender: 'tidemark', settings: 'threads 2', round: 0, messages: 100, seconds: 4, messagesPerSecond: 25, p50Ms: 50, p99Ms: 99 });
});

const run = (contender: string, round: number, messagesPerSecond: number, p50Ms: number, p99Ms: number): NumaflowRun => ({
  contender,
  settings: `${contender} settings`,
  round,
  messages: 1000,
  seconds: 1000 / messagesPerSecond,
  messagesPerSecond,
  p50Ms,
  p99Ms,
});

test('per contender: medians over the rounds, the ratio of medians over the baseline, and the ratio of each round', () => {
  const runs = [
    run('tidemark', 1, 1800, 30, 80),
    run('sdk-style', 0, 1000, 50, 120),
    run('tidemark', 0, 1500, 35, 90),
    run('sdk-style', 1, 1000, 55, 110),
    run('tidemark', 2, 1700, 32, 70),
    run('sdk-style', 2, 900, 60, 130),
  ];
  const [tidemark, sdk] = summarizeNumaflow(runs, 'sdk-style');
  assert.equal(tidemark?.contender, 'tidemark');
  assert.deepEqual(tidemark?.messagesPerSecond, [1500, 1800, 1700], 'in round order');
  assert.equal(tidemark?.medianMessagesPerSecond, 1700);
  assert.equal(tidemark?.medianP50Ms, 32);
  assert.equal(tidemark?.medianP99Ms, 80);
  assert.equal(tidemark?.ratio, 1.7);
  assert.deepEqual(tidemark?.roundRatios, [1.5, 1.8, 1700 / 900]);
  assert.equal(tidemark?.settings, 'tidemark settings');
  assert.equal(sdk?.ratio, 1);
  assert.deepEqual(sdk?.roundRatios, [1, 1, 1]);
});
