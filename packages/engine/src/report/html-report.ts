import type { SkewRun } from '../workload/skew-scenario.js';
import { barChart } from './bar-chart.js';
import { plural } from './format.js';
import { reportPage } from './page.js';
import { runsOf, scenarioSection } from './scenario-section.js';
import { scenarioPairs } from './scenario-pairs.js';
import type { ScenarioPair } from './scenario-pairs.js';
import { summaryTable } from './summary-table.js';

/** What a report shows. */
export interface ReportData {
  /** The page's title and heading. */
  readonly title: string;
  /** One line on where the runs ran, e.g. CPU, cores and Node version. */
  readonly machine: string;
  /** Skew runs, each scenario in `async` and `batch` mode. */
  readonly runs: readonly SkewRun[];
}

/**
 * One self-contained HTML document for latency-skew runs: a summary table,
 * throughput per scenario, and per scenario the latency histogram, the
 * messages in flight and the watermark lag of async beside batch. Inline
 * CSS and SVG only: no script, nothing fetched, so it opens offline.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { renderReport, runSkewScenario } from '@tidemark/engine/workload';
 * const scenario = { family: 'await', distribution: 'lognormal', concurrency: 32, messages: 3200, meanMs: 10, seed: 42 } as const;
 * const runs = [await runSkewScenario({ ...scenario, mode: 'async' }), await runSkewScenario({ ...scenario, mode: 'batch' })];
 * await writeFile('skew.html', renderReport({ title: 'Latency skew', machine: 'AMD EPYC, 2 cores, Node 20.20', runs }));
 * ```
 */
export function renderReport(data: ReportData): string {
  const pairs = scenarioPairs(data.runs);
  const lede =
    `${plural(data.runs.length, 'run')}, ${plural(pairs.length, 'scenario')}. ` +
    'Each scenario runs the same seeded latencies twice: <b class="async">async</b> keeps the target number of messages ' +
    'at the workers and forwards each result when it is ready; <b class="batch">batch</b> reads a batch of that size, ' +
    'waits for its slowest message, acks, and reads the next. The <b>oracle</b> runs the same latencies through as many ' +
    'work-conserving slots on the main thread, waiting as the transform spends its latency, without threads; efficiency is a run\'s throughput over its.';
  return reportPage({
    title: data.title,
    machine: data.machine,
    intro: [lede],
    main:
      `<section><h2>Summary</h2>${summaryTable(pairs)}</section>\n` +
      `<section><h2>Throughput</h2><figure>${throughputChart(pairs)}` +
      '<figcaption>Messages acked per second between the first and the last read (the steady state).</figcaption></figure></section>\n' +
      pairs.map(scenarioSection).join('\n'),
  });
}

function throughputChart(pairs: readonly ScenarioPair[]): string {
  return barChart({
    kind: 'throughput',
    title: 'Throughput per scenario',
    series: ['async', 'batch'],
    groups: pairs.map((pair) => ({
      label: pair.short,
      bars: runsOf(pair).map((run) => ({ series: run.mode, value: run.throughput })),
    })),
    xLabel: 'messages per second',
  });
}
