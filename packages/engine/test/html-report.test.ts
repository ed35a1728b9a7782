import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { renderReport, runSkewScenario } from '../src/workload/index.js';
import { hasArea, openInChromium } from './helpers/chromium.js';

const kinds = ['throughput', 'latency-histogram', 'in-flight', 'watermark-lag'];

test('the skew report draws every chart with async and batch in headless Chromium and fetches nothing', async (t) => {
  const scenario = { family: 'await', distribution: 'lognormal', concurrency: 4, messages: 60, meanMs: 2, seed: 1 } as const;
  const runs = [await runSkewScenario({ ...scenario, mode: 'async' }), await runSkewScenario({ ...scenario, mode: 'batch' })];
  const title = 'Skew <report> & "runs"';

  const dir = await mkdtemp(join(tmpdir(), 'tidemark-report-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'report.html');
  await writeFile(file, renderReport({ title, machine: 'test machine <2 cores>', runs }));
  const url = pathToFileURL(file).href;

  const { page, requests, errors } = await openInChromium(t, url);

  assert.equal(await page.title(), title, 'the title is escaped, not parsed as markup');
  assert.equal(await page.locator('script').count(), 0);
  const present = await Promise.all((await page.locator('svg[data-chart]').all()).map((svg) => svg.getAttribute('data-chart')));
  assert.deepEqual([...new Set(present)].sort(), [...kinds].sort(), 'every chart kind, and no other');
  for (const kind of kinds) {
    const chart = page.locator(`svg[data-chart="${kind}"]`);
    assert.equal(await chart.count(), 1, `one ${kind} chart for one scenario pair`);
    assert.ok(hasArea(await chart.boundingBox()), `the ${kind} chart has a size`);
    assert.ok((await chart.locator('title').first().textContent())?.trim(), `the ${kind} chart has a <title>`);
    const drawn = new Set<string>();
    for (const element of await chart.locator('[data-series]').all()) {
      const series = (await element.getAttribute('data-series')) ?? '';
      assert.ok(hasArea(await element.boundingBox()), `the ${series} series of the ${kind} chart has a size`);
      drawn.add(series);
    }
    assert.deepEqual([...drawn].sort(), ['async', 'batch'], `the ${kind} chart draws both modes`);
  }
  assert.deepEqual(requests, [url], 'the page loads nothing but itself');
  assert.deepEqual(errors, []);
});
