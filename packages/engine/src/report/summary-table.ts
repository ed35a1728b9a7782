import type { SkewRun } from '../workload/skew-scenario.js';
import { escapeHtml, formatNumber } from './format.js';
import type { ScenarioPair } from './scenario-pairs.js';

/**
 * One row per scenario: throughput, efficiency, p99 latency and p99
 * watermark lag of async beside batch, and the async/batch throughput ratio.
 */
export function summaryTable(pairs: readonly ScenarioPair[]): string {
  const head =
    '<thead><tr><th rowspan="2" scope="col">scenario</th>' +
    '<th colspan="2" scope="colgroup">msg/s</th><th rowspan="2" scope="col">async / batch</th>' +
    '<th colspan="2" scope="colgroup">efficiency</th><th colspan="2" scope="colgroup">p99 latency ms</th>' +
    '<th colspan="2" scope="colgroup">p99 watermark lag ms</th></tr><tr>' +
    '<th class="async">async</th><th class="batch">batch</th>'.repeat(4) +
    '</tr></thead>';
  const rows = pairs.map((pair, i) => {
    const both = (value: (run: SkewRun) => number, digits: number): string =>
      cell(pair.async, value, digits) + cell(pair.batch, value, digits);
    const ratio =
      pair.async !== undefined && pair.batch !== undefined ? `${formatNumber(pair.async.throughput / pair.batch.throughput, 2)}×` : '—';
    return (
      `<tr><th scope="row"><a href="#scenario-${i + 1}">${escapeHtml(pair.label)}</a></th>` +
      both((r) => r.throughput, 0) +
      `<td class="ratio">${escapeHtml(ratio)}</td>` +
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
