import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CapacityRun } from '../src/brain-capacity.js';
import { phaseCells } from '../src/brain-tables.js';

const run = (setting: CapacityRun['setting'], phases: CapacityRun['phases']): CapacityRun => ({
  name: setting === 'adaptive' ? 'adaptive' : `fixed ${setting}`,
  setting,
  messages: 100,
  seconds: 6,
  throughput: 1000,
  latencyP50: 10,
  latencyP99: 40,
  tryP50: 10,
  tryP99: 30,
  phases,
  series: [],
});

test('the phase table shows the settle times, the stated band, the time within it, min–max and the probes\' share, adaptive runs only', () => {
  const level = { median: 6, p10: 5, p90: 8, min: 4, max: 9, halfWidth: 2, inBand: 0.9134, probing: 0.05 };
  const cells = phaseCells([
    run('adaptive', [{ index: 2, capacity: 4, start: 6.1, end: 9.2, level, settleMs: [812.4, undefined] }]),
    run(8, [{ index: 2, capacity: 4, start: 6, end: 9 }]),
  ]);
  assert.deepEqual(cells.header, [
    'run',
    'phase',
    'began s',
    'lasted s',
    'settle ms ±max(25%, 2)',
    'settle ms ±max(50%, 2)',
    'level (median)',
    'band',
    'in band',
    'min–max',
    'p10–p90 ÷ median',
    'probing',
    'level ÷ K',
  ]);
  assert.deepEqual(cells.rows, [['1', '2 (K 4)', '6.10', '3.10', '812', 'not settled', '6', '±2.00', '91.3%', '4–9', '0.83–1.33', '5.0%', '1.50']]);
});
