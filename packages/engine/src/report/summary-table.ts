import type { SkewRun } from '../workload/skew-scenario.js';
import { ratio, steadyShown } from '../bench/steady-window.js';
import { escapeHtml, formatNumber, noFigure } from './format.js';
import type { ScenarioPair } from './scenario-pairs.js';

/**
 * One row per scenario: throughput of async beside batch, the async/batch
 * throughput ratio, the oracle's throughput (the same latencies through an
 * in-process work-conserving executor; one figure for both modes), each
 * mode's efficiency against it, and p99 latency and p99 watermark lag.
 */
export function summaryTable(pairs: readonly ScenarioPair[]): string {
  const head =
    '<thead><tr><th rowspan="2" scope="col">scenario</th>' +
    '<th colspan="2" scope="colgroup">msg/s</th><th rowspan="2" scope="col">async / batch</th>' +
    '<th rowspan="2" scope="col">oracle msg/s</th><th colspan="2" scope="colgroup">efficiency (msg/s / oracle)</th><th colspan="2" scope="colgroup">p99 latency ms</th>' +
    '<th colspan="2" scope="colgroup">p99 watermark lag ms</th></tr><tr>' +
    '<th class="async">async</th><th class="batch">batch</th>'.repeat(4) +
    '</tr></thead>';
  const rows = pairs.map((pair, i) => {
    const both = (value: (run: SkewRun) => number, digits: number): string =>
      cell(pair.async, value, digits) + cell(pair.batch, value, digits);
    // The steady-state figures, where their window holds enough acks (see steadyShown).
    const steady = (value: (run: SkewRun) => number) => (run: SkewRun) => (steadyShown(run) ? value(run) : Number.NaN);
    const { async, batch } = pair;
    const throughput = steady((r) => r.throughput);
    const over = async === undefined || batch === undefined ? Number.NaN : ratio(throughput(async), throughput(batch));
    const asyncOverBatch = Number.isFinite(over) ? `${formatNumber(over, 2)}×` : noFigure;
    const oracle = (pair.async ?? pair.batch)?.oracleThroughput;
    return (
      `<tr><th scope="row"><a href="#scenario-${i + 1}">${escapeHtml(pair.label)}</a></th>` +
      both(steady((r) => r.throughput), 0) +
      `<td class="ratio">${escapeHtml(asyncOverBatch)}</td>` +
      `<td>${escapeHtml(oracle === undefined ? noFigure : formatNumber(oracle, 0))}</td>` +
      both(steady((r) => r.efficiency), 3) +
      both((r) => r.latencyP99, 1) +
      both((r) => r.lagP99, 1) +
      '</tr>'
    );
  });
  return `<table class="summary">${head}<tbody>${rows.join('')}</tbody></table>`;
}

function cell(run: SkewRun | undefined, value: (run: SkewRun) => number, digits: number): string {
  return `<td>${escapeHtml(run === undefined ? noFigure : formatNumber(value(run), digits))}</td>`;
}
