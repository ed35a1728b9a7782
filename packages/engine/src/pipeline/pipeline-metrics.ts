import { Registry, register as defaultRegistry } from 'prom-client';
import { CollectedMetric } from '../metrics/collected-metric.js';
import type { Sample } from '../metrics/collected-metric.js';
import type { AnyRegistry } from '../options/options.js';

/** What the pipeline shows at a scrape beside its engines' metrics. */
export interface PipelineSnapshot {
  /** Source messages done, by outcome. */
  readonly done: { readonly completed: number; readonly failed: number; readonly dropped: number };
  readonly inFlight: number;
  /** Messages held by each parallel stage (sent to its branches, not yet through its join). */
  readonly held: ReadonlyMap<string, number>;
  /** Epoch ms, or -Infinity before any. */
  readonly watermark: number;
}

/** One engine's own registry and the labels its samples get. */
interface Part {
  readonly registry: Registry;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * A pipeline's metrics. Each stage engine registers its usual metrics on a
 * registry of its own (`registryFor`), so that engines never clash over a
 * metric name; on the pipeline's registry each name is then one metric
 * whose samples are every engine's with a `pipeline_stage` label (and
 * `branch`: the branch's name, or `join`, in a parallel stage), read at
 * scrape time. (`stage` is taken: the engine's stage histogram says where
 * in an engine a message spent its time.) The pipeline's own gauges and
 * counters are `tidemark_pipeline_*`.
 */
export class PipelineMetrics {
  readonly #registry: AnyRegistry;
  readonly #parts: Part[] = [];
  readonly #names: string[] = [];
  readonly #snapshot: () => PipelineSnapshot;

  constructor(options: true | { registry?: AnyRegistry }, snapshot: () => PipelineSnapshot) {
    this.#registry = (options === true ? undefined : options.registry) ?? defaultRegistry;
    this.#snapshot = snapshot;
  }

  /** The registry for the engine of `stage` (and `branch`). */
  registryFor(stage: string, branch: string | undefined): Registry {
    const registry = new Registry();
    this.#parts.push({ registry, labels: branch === undefined ? { pipeline_stage: stage } : { pipeline_stage: stage, branch } });
    return registry;
  }

  /** Register the merged engine metrics and the pipeline's own on the pipeline's registry (once the engines are made). */
  register(): void {
    const names = new Set<string>();
    for (const { registry } of this.#parts) for (const metric of registry.getMetricsAsArray()) names.add(metric.name);
    const metrics: { readonly name: string; register(registry: AnyRegistry): void }[] = [...names].map((name) => new MergedMetric(name, this.#parts));
    const one = (value: number): Sample[] => [{ value }];
    metrics.push(
      new CollectedMetric('tidemark_pipeline_messages_total', 'Source messages done, by outcome (completed: outputs or a transform\'s drop; failed: a failed record; dropped: a full buffer).', 'counter', () =>
        Object.entries(this.#snapshot().done).map(([outcome, value]) => ({ labels: { outcome }, value })),
      ),
      new CollectedMetric('tidemark_pipeline_in_flight_messages', 'Source messages read and not yet done.', 'gauge', () => one(this.#snapshot().inFlight)),
      new CollectedMetric('tidemark_pipeline_held_messages', 'Messages a parallel stage holds: sent to its branches, not yet through its join.', 'gauge', () =>
        [...this.#snapshot().held].map(([stage, value]) => ({ labels: { pipeline_stage: stage }, value })),
      ),
      new CollectedMetric('tidemark_pipeline_watermark_seconds', 'The pipeline\'s output watermark (the minimum over its stages), seconds since the epoch.', 'gauge', () => {
        const watermark = this.#snapshot().watermark;
        return Number.isFinite(watermark) ? one(watermark / 1000) : [];
      }),
    );
    for (const metric of metrics) {
      metric.register(this.#registry);
      this.#names.push(metric.name);
    }
  }

  /** Take the pipeline's metrics off its registry (the engines take theirs off their own when closed). */
  close(): void {
    for (const name of this.#names) this.#registry.removeSingleMetric(name);
    this.#names.length = 0;
  }
}

/** One metric name of every engine, each engine's samples labelled with its stage (and branch). */
class MergedMetric {
  readonly name: string;
  readonly #parts: readonly Part[];

  constructor(name: string, parts: readonly Part[]) {
    this.name = name;
    this.#parts = parts;
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    let help = '';
    let type = 'gauge';
    let aggregator = 'sum';
    const values: Sample[] = [];
    for (const { registry, labels } of this.#parts) {
      const metric = registry.getSingleMetric(this.name);
      if (metric === undefined) continue;
      const got = (await metric.get()) as unknown as { help: string; type: string; aggregator: string; values: Sample[] };
      ({ help, type, aggregator } = got);
      for (const sample of got.values) values.push({ ...sample, labels: { ...sample.labels, ...labels } });
    }
    return { name: this.name, help, type, aggregator, values };
  }

  reset(): void {}

  register(registry: AnyRegistry): void {
    registry.registerMetric(this as unknown as Parameters<AnyRegistry['registerMetric']>[0]);
  }
}
