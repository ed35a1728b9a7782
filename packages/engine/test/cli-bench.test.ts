import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { bestByRule, markdownTable, printedWithin, ratioRange, tableHeader } from './helpers/bench-output.js';
import { hasArea, openInChromium } from './helpers/chromium.js';
import { cliFixture, requireBuiltCli, tempDir, tidemark } from './helpers/cli.js';

// `tidemark bench` on a transform and an input written for it (not the
// built-in workload): bench-skew.js awaits the milliseconds each record asks
// for, and bench-skew.ndjson asks for 1 ms mostly, 10 ms every 7th and 40 ms
// every 31st, with one malformed line. Timings depend on the machine, so
// none is bounded: what the run determines is checked by value (settings,
// counts, failed records), and so is the arithmetic tying the printed
// figures together (async/batch, the best mark by the stated rule). The
// report is opened in headless Chromium (Debian's, never a download).
before(requireBuiltCli);

const transform = cliFixture('bench-skew.js');
const input = cliFixture('bench-skew.ndjson');

test('bench prints every setting with figures consistent with the run, marks the best by its rule, and writes a report Chromium draws', async (t) => {
  const lines = (await readFile(input, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  const malformed = lines.filter((line) => !line.startsWith('{"value":{')).length;
  assert.equal(malformed, 1, 'the fixture has one malformed line');
  const dir = await tempDir(t, 'tidemark-bench-');
  const report = join(dir, 'bench.html');
  const exit = await tidemark(['bench', '--transform', transform, '--input', input, '--concurrency', '2,8', '--threads', '2', '--report', report], undefined, t);
  assert.equal(exit.code, 0, exit.stderr);
  assert.ok(exit.stdout.startsWith('| conc '), 'the table first, no blank line before it');

  // The table: every setting, concurrency by concurrency, each mode.
  const header = tableHeader(exit.stdout);
  for (const column of ['conc', 'threads', 'mode', 'messages', 'failed', 'msg/s', 'worker busy share', 'wall msg/s', 'async/batch', 'p50 ms', 'p99 ms', 'lag p50 ms', 'lag p99 ms', 'best']) {
    assert.ok(header.includes(column), `the ${column} column`);
  }
  assert.ok(!header.includes('oracle msg/s') && !header.includes('efficiency'), 'no oracle or efficiency for a user transform');
  const rows = markdownTable(exit.stdout);
  assert.deepEqual(rows.map((row) => `${row.mode} ${row.conc}`), ['async 2', 'batch 2', 'async 8', 'batch 8']);
  for (const row of rows) {
    assert.equal(row.messages, String(lines.length), 'every input line is a message of every run');
    assert.equal(row.failed, String(malformed), 'the malformed line is the one failed record');
    assert.equal(row.threads, '2');
    assert.ok(Number(row['p50 ms']) <= Number(row['p99 ms']) && Number(row['lag p50 ms']) <= Number(row['lag p99 ms']), 'p50 <= p99');
  }
  for (const conc of ['2', '8']) {
    const async = rows.find((row) => row.mode === 'async' && row.conc === conc);
    const batch = rows.find((row) => row.mode === 'batch' && row.conc === conc);
    assert.ok(async !== undefined && batch !== undefined);
    if (async['msg/s'] === '–' || batch['msg/s'] === '–') assert.equal(async['async/batch'], '–', 'no ratio without both msg/s');
    else printedWithin(async['async/batch'] ?? '', ratioRange(async['msg/s'] ?? '', batch['msg/s'] ?? '', 0), 2, `async/batch at ${conc} = async msg/s / batch msg/s`);
    assert.equal(batch['async/batch'], '', 'the ratio is on the async row only');
  }
  // The best mark: one row, the one the stated rule picks from the printed figures, named with why.
  const marked = rows.flatMap((row, i) => (row.best === 'best' ? [i] : []));
  assert.equal(marked.length, 1, 'one best row');
  const best = rows[bestByRule(rows)];
  assert.equal(marked[0], bestByRule(rows), `the rule applied to the printed figures picks ${best?.mode} at ${best?.conc}`);
  assert.match(exit.stdout, new RegExp(`^best: ${best?.mode} at concurrency ${best?.conc}: .*wall msg/s`, 'm'));
  assert.match(exit.stdout, /^rule: among the settings with the fewest failed records, the highest wall msg\/s wins; settings within 5% of that wall msg\/s count as tied, and the lowest p99 latency among them wins/m);
  assert.match(exit.stdout, /No oracle or efficiency columns/);
  // Progress: which setting, n of N.
  for (const [i, name] of ['async at concurrency 2', 'batch at concurrency 2', 'async at concurrency 8', 'batch at concurrency 8'].entries()) {
    assert.match(exit.stderr, new RegExp(`^  \\[${i + 1}/4\\] ${name}\\.\\.\\.$`, 'm'));
  }
  assert.match(exit.stderr, /report: .*bench\.html/);

  // The report, in Chromium.
  const url = pathToFileURL(report).href;
  const { page, requests, errors } = await openInChromium(t, url);
  assert.match(await page.title(), /bench-skew\.js/);
  assert.equal(await page.locator('script').count(), 0);
  // The same table, the same best row.
  const htmlHeader = await page.locator('table.bench thead th').allTextContents();
  assert.deepEqual(htmlHeader, header);
  const htmlRows = await page.locator('table.bench tbody tr').all();
  assert.equal(htmlRows.length, rows.length);
  for (const [i, tr] of htmlRows.entries()) {
    assert.deepEqual(await tr.locator('td').allTextContents(), header.map((h) => rows[i]?.[h] ?? ''), `row ${i + 1} as printed`);
  }
  assert.equal(await page.locator('table.bench tr.best').count(), 1);
  assert.ok(await page.locator('table.bench tr.best').isVisible());
  assert.match((await page.locator('.best-why').textContent()) ?? '', new RegExp(`Best: ${best?.mode} at concurrency ${best?.conc}:.*Rule: `));
  // Throughput (wall msg/s, what the best is ranked on) and p99 against concurrency: a line and a dot per concurrency for each mode, at the printed figures.
  for (const [kind, column] of [['throughput-vs-concurrency', 'wall msg/s'], ['p99-vs-concurrency', 'p99 ms']] as const) {
    const chart = page.locator(`svg[data-chart="${kind}"]`);
    assert.equal(await chart.count(), 1, `one ${kind} chart`);
    assert.ok(hasArea(await chart.boundingBox()), `the ${kind} chart has a size`);
    for (const mode of ['async', 'batch']) {
      assert.equal(await chart.locator(`path.line[data-series="${mode}"]`).count(), 1, `a ${mode} line in ${kind}`);
      const dots = await chart.locator(`circle[data-series="${mode}"]`).all();
      assert.equal(dots.length, 2, `a ${mode} dot per concurrency in ${kind}`);
      for (const [i, dot] of dots.entries()) {
        assert.ok(hasArea(await dot.boundingBox()), `the ${mode} dot ${i} of ${kind} is drawn`);
        const title = (await dot.locator('title').textContent()) ?? '';
        const match = /^(\w+) at (\d+): ([\d,.]+)$/.exec(title);
        assert.ok(match !== null, title);
        const row = rows.find((r) => r.mode === match[1] && r.conc === match[2]);
        // The dot's title has one decimal, the table's msg/s none: the table's is the rounding of a value within 0.05 of the title's.
        const value = Number(match[3]?.replaceAll(',', ''));
        printedWithin(row?.[column] ?? '', [value - 0.05, value + 0.05], column === 'wall msg/s' ? 0 : 1, `${title}: the table's ${column}`);
      }
    }
  }
  // Per concurrency, async beside batch: in flight, latency histogram, watermark lag.
  for (const kind of ['in-flight', 'latency-histogram', 'watermark-lag']) {
    const charts = await page.locator(`svg[data-chart="${kind}"]`).all();
    assert.equal(charts.length, 2, `a ${kind} chart per concurrency`);
    for (const chart of charts) {
      const drawn = new Set<string>();
      for (const element of await chart.locator('[data-series]').all()) {
        if (hasArea(await element.boundingBox())) drawn.add((await element.getAttribute('data-series')) ?? '');
      }
      assert.deepEqual([...drawn].sort(), ['async', 'batch'], `the ${kind} chart draws both modes`);
    }
  }
  // Why async's watermark lag follows the slowest message in flight, in one sentence, shown.
  const why = page.locator('.why-lag').first();
  assert.ok(await why.isVisible());
  assert.match(
    (await why.textContent()) ?? '',
    /^Async's watermark lag follows the slowest message in flight: the output watermark is the event time of the oldest message still in flight, so one slow message holds it back however many finish after it\.$/,
  );
  assert.match((await page.locator('header').textContent()) ?? '', /There is no oracle and no efficiency for a user's transform/);
  assert.deepEqual(requests, [url], 'the page loads nothing but itself');
  assert.deepEqual(errors, []);
});
