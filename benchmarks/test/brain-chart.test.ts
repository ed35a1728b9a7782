import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, stepChart, ticks } from '../src/brain-chart.js';

test('ticks are round steps of 1, 2 or 5 × 10^k from 0, printed without float noise', () => {
  assert.deepEqual(ticks(1.8, 9), [0, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8]);
  assert.deepEqual(ticks(1.9, 8), [0, 0.5, 1, 1.5]);
  assert.deepEqual(ticks(256, 5), [0, 100, 200]);
  assert.deepEqual(ticks(10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(ticks(0, 5), [0]);
});

test('a step chart draws each series as horizontal runs and escapes its text', () => {
  const svg = stepChart({ title: 'a <b>', series: [{ name: 'target & K', color: '#000', points: [[0, 1], [1, 4]] }], xMax: 2, xLabel: 's', yLabel: 'n' });
  assert.match(svg, /^<svg class="chart"/);
  assert.ok(svg.includes('a &#60;b&#62;'));
  assert.ok(svg.includes('target &#38; K'));
  // Two runs: from x 0 at y 1 to x 1, then up to y 4 and on to x 2 (the end).
  assert.match(svg, /<path d="M56 [\d.]+H[\d.]+V[\d.]+H704"/);
  assert.equal(escapeHtml(`"'`), '&#34;&#39;');
});
