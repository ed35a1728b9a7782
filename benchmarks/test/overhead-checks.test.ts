import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, metricsChecks } from '../src/overhead-checks.js';

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

test('median of an odd count is the middle value, whatever the order', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([10, 30, 20, 50, 40]), 30);
  assert.ok(Number.isNaN(median([])));
});
