import assert from 'node:assert/strict';
import { test } from 'node:test';
import { upperMedian as median } from '../src/distribution.js';
import { metricsChecks } from '../src/overhead-checks.js';

test('metrics on / off at or above 0.90 passes, below fails, one check per concurrency', () => {
  const checks = metricsChecks([
    { concurrency: 64, off: 600_000, on: 540_000, ratio: 0.9 },
    { concurrency: 256, off: 600_000, on: 500_000, ratio: 500_000 / 600_000 },
  ]);
  assert.deepEqual(checks, [
    { name: 'c64 metrics on / off >= 0.90', pass: true, detail: '540,000 / 600,000 msg/s = 0.900' },
    { name: 'c256 metrics on / off >= 0.90', pass: false, detail: '500,000 / 600,000 msg/s = 0.833' },
  ]);
});

test('the overhead tables\' median is the upper one: the middle value, the upper of the two middle for an even count', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([10, 30, 20, 50, 40]), 30);
  assert.equal(median([4, 1, 3, 2]), 3);
  assert.ok(Number.isNaN(median([])));
});
