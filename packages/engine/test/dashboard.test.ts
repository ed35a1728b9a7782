import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { Engine } from '../src/index.js';
import { metricNames } from './helpers/metric-names.js';

// The Grafana dashboard (dashboards/tidemark.json) against the metrics the
// engine exports: every metric on a panel, no panel on a metric that does not
// exist, and the list itself checked against what the engine registers, so
// renaming either side fails here instead of leaving an empty panel. The
// priority latency histogram is registered by every engine but has samples
// only with the `priority` option, so the scrape tests' list leaves it out.
const metrics: readonly string[] = [...metricNames, 'tidemark_priority_latency_seconds'];

interface Target {
  readonly expr?: string;
  readonly datasource?: { readonly uid?: string };
}

interface Panel {
  readonly title?: string;
  readonly type?: string;
  readonly targets?: readonly Target[];
  readonly panels?: readonly Panel[];
}

interface Variable {
  readonly name: string;
  readonly type: string;
  readonly query?: unknown;
  readonly definition?: string;
}

interface Dashboard {
  readonly schemaVersion: number;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly Variable[] };
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../../dashboards/tidemark.json', import.meta.url), 'utf8'),
) as Dashboard;

/** Every query of every panel, rows' nested panels included, with the title of its panel. */
function queries(panels: readonly Panel[]): { title: string; target: Target }[] {
  return panels.flatMap((panel) => [
    ...(panel.targets ?? []).map((target) => ({ title: panel.title ?? '(untitled)', target })),
    ...queries(panel.panels ?? []),
  ]);
}

/** The metric names in a PromQL expression, histogram series folded into their histogram. */
function metricsIn(expr: string): string[] {
  return (expr.match(/tidemark_[a-z_]+/g) ?? []).map((name) => name.replace(/_(bucket|sum|count)$/, ''));
}

const panelQueries = queries(dashboard.panels);
const variableQueries = dashboard.templating.list
  .filter((variable) => variable.type === 'query')
  .map((variable) => ({ title: `$${variable.name}`, expr: variable.definition ?? String(variable.query) }));

test('dashboard: the list of metrics is what the engine registers', async (t) => {
  const registry = new Registry();
  const engine = new Engine({ transform: new URL('./fixtures/echo.js', import.meta.url), threads: 1, metrics: { registry } });
  t.after(() => engine.close());
  const registered = (await registry.getMetricsAsJSON()).map((metric) => metric.name);
  assert.deepEqual([...registered].sort(), [...metrics].sort());
});

test('dashboard: every exported metric is used by at least one panel', () => {
  const used = new Set(panelQueries.flatMap(({ target }) => metricsIn(target.expr ?? '')));
  assert.deepEqual(
    metrics.filter((name) => !used.has(name)),
    [],
    'metrics without a panel',
  );
});

test('dashboard: every expression uses only exported metrics', () => {
  const known = new Set(metrics);
  const expressions = [...panelQueries.map(({ title, target }) => ({ title, expr: target.expr ?? '' })), ...variableQueries];
  assert.ok(expressions.length > metrics.length, 'the dashboard has its queries');
  for (const { title, expr } of expressions) {
    assert.notEqual(expr, '', `${title}: a query without an expression`);
    const names = metricsIn(expr);
    assert.ok(names.length > 0, `${title}: ${expr} uses no tidemark metric`);
    for (const name of names) assert.ok(known.has(name), `${title}: ${expr} uses ${name}, which is not exported`);
  }
});

test('dashboard: panels query the $datasource variable, filtered by $job and $instance', () => {
  const names = dashboard.templating.list.map((variable) => variable.name);
  for (const name of ['datasource', 'job', 'instance']) assert.ok(names.includes(name), `a $${name} variable`);
  const datasource = dashboard.templating.list.find((variable) => variable.name === 'datasource');
  assert.deepEqual([datasource?.type, datasource?.query], ['datasource', 'prometheus']);
  for (const { title, target } of panelQueries) {
    assert.equal(target.datasource?.uid, '${datasource}', `${title}: ${target.expr ?? ''}`);
    for (const selector of metricSelectors(target.expr ?? '')) {
      assert.match(selector, /job=~"\$job"/, `${title}: ${target.expr ?? ''}`);
      assert.match(selector, /instance=~"\$instance"/, `${title}: ${target.expr ?? ''}`);
    }
  }
});

/** The `{...}` label matchers after each metric name (empty when a metric has none). */
function metricSelectors(expr: string): string[] {
  return [...expr.matchAll(/tidemark_[a-z_]+(\{[^}]*\})?/g)].map((match) => match[1] ?? '');
}

test('dashboard: "Latency by priority" shows p50 and p99 of the priority histogram by its priority label', () => {
  const panel = dashboard.panels.find((candidate) => candidate.title === 'Latency by priority');
  assert.ok(panel !== undefined, 'a "Latency by priority" panel');
  const exprs = (panel.targets ?? []).map((target) => target.expr ?? '');
  for (const quantile of ['0.5', '0.99']) {
    assert.ok(
      exprs.some((expr) => expr.startsWith(`histogram_quantile(${quantile}, sum by (le, priority) (`) && expr.includes('tidemark_priority_latency_seconds_bucket')),
      `a p${Number(quantile) * 100} by priority query: ${JSON.stringify(exprs)}`,
    );
  }
});
