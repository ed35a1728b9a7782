import { barChart, escapeHtml, stepChart } from './brain-chart.js';
import type { StepSeries } from './brain-chart.js';
import type { CapacityRun } from './brain-capacity.js';
import type { BrainResults } from './brain-results.js';
import { bandFloor, settleBands } from './brain-series.js';
import { starvationNote } from './brain-starvation.js';
import { awaitCells, capacityCells, cpuCells, phaseCells, priorityCells, starvationCells } from './brain-tables.js';
import type { Cells } from './brain-tables.js';

const blue = '#1f6feb';
const orange = '#d9480f';
const grey = '#6e7781';
const style =
  'body{margin:0 auto;max-width:1100px;padding:16px 24px;font:14px/1.45 system-ui,sans-serif;color:#1f2328}' +
  'h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px;border-top:1px solid #d1d9e0;padding-top:12px}' +
  '.muted,figcaption{color:#59636e}table{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:8px 0}' +
  'th,td{padding:3px 10px;border-bottom:1px solid #d1d9e0;text-align:right}th:first-child,td:first-child{text-align:left}' +
  'td.pass{color:#1a7f37;font-weight:600}td.FAIL{color:#cf222e;font-weight:600}figure{margin:12px 0;max-width:720px}svg.chart{width:100%;height:auto}';

function table(cells: Cells): string {
  const head = `<tr>${cells.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const rows = cells.rows.map((row) => `<tr>${row.map((c) => `<td${c === 'pass' || c === 'FAIL' ? ` class="${c}"` : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<table><thead>${head}</thead><tbody>${rows}</tbody></table>`;
}

const figure = (svg: string, caption: string): string => `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
const para = (text: string): string => `<p class="muted">${escapeHtml(text)}</p>`;
const end = (series: readonly (readonly [number, number])[], fallback: number): number => Math.max(fallback, series.at(-1)?.[0] ?? 0);

/** The downstream's capacity K as a step series over one run. */
function capacitySeries(run: CapacityRun): StepSeries {
  return { name: 'downstream capacity K', color: grey, dashed: true, points: run.phases.map((p) => [p.start, p.capacity] as const) };
}

function capacitySection(data: NonNullable<BrainResults['capacity']>): string {
  const { plan, runs } = data;
  const adaptive = runs.filter((r) => r.setting === 'adaptive');
  const charts = adaptive.map((run, i) =>
    figure(
      stepChart({
        title: `Shifting capacity: the adaptive target over time (run ${i + 1})`,
        series: [{ name: 'adaptive target', color: blue, points: run.series }, capacitySeries(run)],
        xMax: end(run.series, run.seconds),
        xLabel: 's from the first read',
        yLabel: 'in-flight target',
        marks: run.phases.map((p) => ({ x: p.start, label: `K ${p.capacity}` })),
      }),
      'The target from engine.concurrency at the start and every concurrency event; dashed, the downstream\'s slots K, changed when the downstream had served each phase\'s calls (its own report of the moment).',
    ),
  );
  const bars = barChart({
    title: 'Shifting capacity: throughput over the whole run',
    bars: data.settings.map((s) => ({ label: s.name, value: s.throughput, color: s.fixed === undefined ? blue : orange })),
    xLabel: 'msg/s (median over repeats), first read to last ack',
  });
  return (
    `<h2>Shifting capacity</h2>` +
    para(
      `Every message makes one call to a downstream process with K slots (${plan.serviceMs} ms each, FIFO beyond them, one Unix-socket connection per worker thread); K goes ${plan.phases.map((p) => p.capacity).join(' → ')}, each phase lasting ${plan.phases.map((p) => p.calls).join(' / ')} calls served. ${plan.threads} threads; adaptive is concurrency { min: ${plan.min}, max: ${plan.max} }.`,
    ) +
    table(capacityCells(runs)) +
    para('Latency p50/p99: read to ack (the ack event\'s trace); try: dispatch to completion, the latency the controller judges by.') +
    figure(bars, 'Blue adaptive, orange fixed settings.') +
    charts.join('') +
    `<h3>Settling after each shift</h3>` +
    table(phaseCells(runs)) +
    para(
      `Level: the time-weighted median M of the target over the phase's second half. Band: M ± max(${settleBands[0] * 100}% of M, ${bandFloor}), the band the README states; in band: the share of the second half's time the target spent within it; min–max: the lowest and highest target held then; p10–p90: its time-weighted p10 and p90, over M. Settle time: from the phase's start (as the downstream reported it) until the target stays within M ± max(${settleBands.map((b) => `${b * 100}% of M`).join(', or ')}, ${bandFloor}) to the phase's end ("not settled": it ends the phase outside). Probes (the target at min while the controller measures the no-load latency) are left out of all of these; probing: their share of the second half.`,
    )
  );
}

/**
 * The brain benchmark's HTML report: a section per scenario with its table,
 * the target over time (step charts, from the concurrency events) and the
 * goals with pass or FAIL. Self-contained: inline CSS and SVG, no script.
 */
export function renderBrainReport(results: BrainResults): string {
  const m = results.machine;
  let main = '';
  if (results.capacity !== undefined) main += capacitySection(results.capacity);
  if (results.cpu !== undefined) {
    const { plan, runs } = results.cpu;
    const adaptive = runs.filter((r) => r.name === 'adaptive');
    main +=
      `<h2>CPU-bound</h2>` +
      para(`A sync transform of fixed work (${plan.rounds} SHA-256 rounds over 16 KiB, about 1 ms here), ${plan.messages} messages, ${plan.threads} threads: adaptive { min: ${plan.min}, max: ${plan.max} } against fixed concurrency = threads.`) +
      table(cpuCells(runs, plan.threads)) +
      adaptive
        .map((run, i) =>
          figure(
            stepChart({ title: `CPU-bound: the adaptive target over time (run ${i + 1})`, series: [{ name: 'adaptive target', color: blue, points: run.series }, { name: 'threads', color: grey, dashed: true, points: [[0, plan.threads]] }], xMax: end(run.series, run.seconds), xLabel: 's from the first read', yLabel: 'in-flight target' }),
            'Settled target: the time-weighted median over the run\'s second half, probes left out.',
          ),
        )
        .join('');
  }
  if (results.await !== undefined) {
    const { plan, runs } = results.await;
    main +=
      `<h2>Await-bound, no capacity limit</h2>` +
      para(`Every message awaits a ${plan.sleepMs} ms timer; the source gives messages for ${plan.seconds} s. ${plan.threads} threads; adaptive { min: ${plan.min}, max: ${plan.max} } against fixed ${plan.max}.`) +
      table(awaitCells(runs)) +
      runs
        .filter((r) => r.name === 'adaptive')
        .map((run, i) =>
          figure(
            stepChart({ title: `Await-bound: the adaptive target over time (run ${i + 1})`, series: [{ name: 'adaptive target', color: blue, points: run.series }, { name: 'max', color: grey, dashed: true, points: [[0, plan.max]] }], xMax: end(run.series, plan.seconds), xLabel: 's from the first read', yLabel: 'in-flight target' }),
            'The target should rise to max: nothing but the engine limits an await.',
          ),
        )
        .join('');
  }
  if (results.priority !== undefined) {
    const { plan, runs } = results.priority;
    main +=
      `<h2>Priority under overload</h2>` +
      para(
        `${plan.messages} messages from a source that never waits into an input buffer of ${plan.input} (block); ${Math.round(plan.highShare * 100)}% high priority (seed ${plan.seed}); each awaits ${plan.sleepMs} ms at concurrency ${plan.concurrency} on ${plan.threads} threads. fifo: no priority option; priority: priority 1 for high, 0 for low, default priorityAging (10 s a level); priority, 1 s aging: priorityAging 1000, where a high message is ahead of a low one by at most 1 s of waiting, so once FIFO waits past 1 s its high p50 cannot fall below FIFO's p50 − 1 s; priority, aging off: priorityAging Infinity. Latency: read to ack. The source is finite, so every low-priority message completes whatever the mode; the low max shows how long the longest waited; whether aging serves them while high-priority messages still arrive is the starvation section's check.`,
      ) +
      table(priorityCells(runs));
  }
  if (results.starvation !== undefined) {
    const { plan, runs } = results.starvation;
    main += `<h2>Starvation: high-priority arrivals as fast as the workers serve</h2>${table(starvationCells(runs))}${para(starvationNote(plan))}`;
  }
  main += `<h2>Goals</h2>${table({ header: ['goal', 'value', 'result'], rows: results.checks.map((c) => [c.name, c.detail, c.pass ? 'pass' : 'FAIL']) })}`;
  if (results.quick) main += para('--quick: a smoke run with small phases; its figures are not the benchmark and its goals are not enforced.');
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Tidemark: the scheduling brain</title><style>${style}</style></head><body>` +
    `<h1>Tidemark: the scheduling brain</h1><p class="muted">${escapeHtml(`${m.cpu} x${m.cores}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.date}; repeats ${results.repeat}`)}</p>` +
    `${main}</body></html>\n`
  );
}
