import type { SkewRun } from '../workload/skew-scenario.js';
import { escapeHtml, formatNumber } from './format.js';
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
    const ratio =
      pair.async !== undefined && pair.batch !== undefined ? `${formatNumber(pair.async.throughput / pair.batch.throughput, 2)}×` : '—';
    const oracle = (pair.async ?? pair.batch)?.oracleThroughput;
    return (
      `<tr><th scope="row"><a href="#scenario-${i + 1}">${escapeHtml(pair.label)}</a></th>` +
      both((r) => r.throughput, 0) +
      `<td class="ratio">${escapeHtml(ratio)}</td>` +
      `<td>${escapeHtml(oracle === undefined ? '—' : formatNumber(oracle, 0))}</td>` +
      both((r) => r.efficiency, 3) +
      both((r) => r.latencyP99, 1) +
      both((r) => r.lagP99, 1) +
      '</tr>'
    );
  });
  return `<table class="summary">${head}<tbody>${rows.join('')}</tbody></table>`;
}

function cell(run: SkewRun | undefined, value: (run: SkewRun) => number, digits: number): string {
  return `<td>${escapeHtml(run === undefined ? '—' : formatNumber(value(run), digits))}</td>`;
}
