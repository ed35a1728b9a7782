import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register as defaultRegistry } from 'prom-client';
import type { AnyRegistry as Registry } from '../options/options.js';
import { bufferNames, overflowPolicies } from '../buffers/buffer-limit.js';
import type { BufferFill, BufferName } from '../buffers/buffer-limit.js';
import type { MessageTrace } from '../run/message-state.js';
import { now } from '../run/message-state.js';
import { CollectedMetric } from './collected-metric.js';
import type { Sample } from './collected-metric.js';
import { PriorityHistograms } from './priority-histograms.js';
import { StageHistograms, stages } from './stage-histograms.js';
import type { RunStats } from '../run/run-stats.js';

/** Options of the engine's metrics. */
export interface MetricsOptions {
  /** The prom-client registry to register on. @default prom-client's default registry */
  registry?: Registry;
  /** Serve `/metrics` over HTTP on 127.0.0.1 at this port (0: any free port). */
  port?: number;
}

/** What the engine shows at a scrape. */
export interface EngineSnapshot {
  readonly totals: Readonly<RunStats>;
  readonly inFlight: number;
  readonly processing: number;
  readonly concurrency: number;
  readonly buffers: Record<BufferName, BufferFill>;
  readonly busyWorkers: number;
  readonly workers: number;
  readonly restarts: number;
  /** Epoch ms, or -Infinity before any. */
  readonly watermark: number;
  /** Epoch ms the oldest in-flight message was read, or undefined. */
  readonly oldestReadAt: number | undefined;
}

const counters = [
  ['read', 'Messages read from the source.'],
  ['emitted', 'Outputs handed to the consumer.'],
  ['acked', 'Messages acked (all their outputs taken by the consumer).'],
  ['retried', 'Retries started.'],
  ['failed', 'Messages that failed for good (failed records).'],
  ['late', 'Messages already late when read.'],
  ['tooLate', 'Windowed reduce: messages later than the allowed lateness, emitted as late records in no window.'],
] as const;

/**
 * The engine's Prometheus metrics. Only the stage and priority histograms
 * are written per message (at ack, from the message's trace); every other
 * metric is read from the engine at scrape time.
 */
export class EngineMetrics {
  readonly #histograms = new StageHistograms();
  readonly #priorities = new PriorityHistograms();
  /** Messages taken by an overflow policy, by `${buffer} ${policy}`. */
  readonly #overflows = new Map<string, number>();
  readonly #registry: Registry;
  readonly #metrics: CollectedMetric[];
  #server: Server | undefined;

  constructor(options: MetricsOptions, snapshot: () => EngineSnapshot) {
    this.#registry = options.registry ?? defaultRegistry;
    const gauge = (name: string, help: string, read: (s: EngineSnapshot) => readonly Sample[]) =>
      new CollectedMetric(name, help, 'gauge', () => read(snapshot()));
    const one = (value: number): Sample[] => [{ value }];
    this.#metrics = [
      new CollectedMetric('tidemark_stage_duration_seconds', 'Time messages spend in each stage, by outcome.', 'histogram', () =>
        this.#histograms.samples('tidemark_stage_duration_seconds'),
      ),
      new CollectedMetric(
        'tidemark_priority_latency_seconds',
        'Read-to-ack time of the messages the workers processed, by priority (with the priority option): the priority rounded down, the first 16 values seen each a series, later ones priority="other".',
        'histogram',
        () => this.#priorities.samples('tidemark_priority_latency_seconds'),
      ),
      ...counters.map(
        ([key, help]) =>
          new CollectedMetric(`tidemark_messages_${snakeCase(key)}_total`, help, 'counter', () => one(snapshot().totals[key])),
      ),
      new CollectedMetric(
        'tidemark_messages_dropped_total',
        'Messages taken by a full buffer\'s overflow policy: dropped (drop-oldest, drop-newest) or rejected as failed records (reject).',
        'counter',
        () =>
          bufferNames.flatMap((buffer) =>
            overflowPolicies
              .filter((policy) => policy !== 'block')
              .map((policy) => ({ labels: { buffer, policy }, value: this.#overflows.get(`${buffer} ${policy}`) ?? 0 })),
          ),
      ),
      new CollectedMetric('tidemark_worker_restarts_total', 'Workers that died and were replaced.', 'counter', () =>
        one(snapshot().restarts),
      ),
      gauge('tidemark_in_flight_messages', 'Messages read and not yet acked.', (s) => one(s.inFlight)),
      gauge('tidemark_processing_messages', 'Messages at the workers now (the actual parallelism).', (s) => one(s.processing)),
      gauge('tidemark_concurrency_target', 'The in-flight target at the workers.', (s) => one(s.concurrency)),
      gauge('tidemark_buffer_fill_messages', 'Messages in each buffer.', (s) => bufferSamples(s, 'fill')),
      gauge('tidemark_buffer_capacity_messages', 'Capacity of each buffer.', (s) => bufferSamples(s, 'capacity')),
      gauge('tidemark_buffer_fill_bytes', 'Bytes in each buffer that has a byte limit.', (s) => byteSamples(s, 'fill')),
      gauge('tidemark_buffer_capacity_bytes', 'Byte limit of each buffer that has one.', (s) => byteSamples(s, 'capacity')),
      gauge('tidemark_busy_workers', 'Worker threads holding at least one message.', (s) => one(s.busyWorkers)),
      gauge('tidemark_workers', 'Worker threads in the pool.', (s) => one(s.workers)),
      gauge('tidemark_watermark_seconds', 'The output watermark (event time, seconds since the epoch).', (s) =>
        Number.isFinite(s.watermark) ? one(s.watermark / 1000) : [],
      ),
      gauge('tidemark_watermark_lag_seconds', 'Now minus the output watermark.', (s) =>
        Number.isFinite(s.watermark) ? one((now() - s.watermark) / 1000) : [],
      ),
      gauge('tidemark_oldest_in_flight_age_seconds', 'Age of the oldest message read and not yet acked.', (s) =>
        one(s.oldestReadAt === undefined ? 0 : (now() - s.oldestReadAt) / 1000),
      ),
    ];
    for (const metric of this.#metrics) metric.register(this.#registry);
  }

  /**
   * Record an acked message's stage durations (and, when it has a priority
   * and reached the workers, its read-to-ack time by priority), and count it
   * if an overflow policy took it.
   */
  observe(trace: MessageTrace): void {
    const overflow = trace.overflow;
    if (overflow !== undefined) {
      const key = `${overflow.buffer} ${overflow.policy}`;
      this.#overflows.set(key, (this.#overflows.get(key) ?? 0) + 1);
      if (trace.outcome === 'dropped') return; // never processed: no stage durations
    }
    // `failed` and `rejected` are both failed records.
    const outcome = trace.outcome === 'completed' ? 0 : 1;
    const h = this.#histograms;
    const { readAt, queuedAt, dispatchedAt, startedAt, endedAt, ackedAt } = trace;
    // A message that failed before it was dispatched (bad input, rejected on arrival) settled when read.
    const completedAt = trace.completedAt || readAt;
    if (dispatchedAt > 0) {
      // The last try's own wait in the input buffer, not the time since the first try.
      h.observe(0, outcome, (dispatchedAt - queuedAt) / 1000);
      h.observe(1, outcome, (startedAt - dispatchedAt + (completedAt - endedAt)) / 1000);
      h.observe(2, outcome, (endedAt - startedAt) / 1000);
      if (trace.priority !== undefined) this.#priorities.observe(trace.priority, (ackedAt - readAt) / 1000);
    }
    h.observe(3, outcome, (ackedAt - completedAt) / 1000);
    h.observe(stages.length - 1, outcome, (ackedAt - readAt) / 1000);
  }

  /** Serve `/metrics` on 127.0.0.1:`port`; resolves with the port bound. */
  async listen(port: number): Promise<number> {
    const server = createServer((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end('not found: try /metrics\n');
        return;
      }
      this.#registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': this.#registry.contentType }).end(text),
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    server.unref();
    return (server.address() as AddressInfo).port;
  }

  /** Stop serving and take the metrics off the registry. */
  async close(): Promise<void> {
    for (const metric of this.#metrics) this.#registry.removeSingleMetric(metric.name);
    const server = this.#server;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections(); // a scraper's keep-alive connection would hold close() open
    await closed;
  }
}

function bufferSamples(s: EngineSnapshot, field: 'fill' | 'capacity'): Sample[] {
  return bufferNames.map((buffer) => ({ labels: { buffer }, value: s.buffers[buffer][field] }));
}

function byteSamples(s: EngineSnapshot, field: 'fill' | 'capacity'): Sample[] {
  return bufferNames.flatMap((buffer) => {
    const bytes = s.buffers[buffer].bytes;
    return bytes === undefined || !Number.isFinite(bytes.capacity) ? [] : [{ labels: { buffer }, value: bytes[field] }];
  });
}

/** `tooLate` → `too_late`, for a Prometheus name. */
function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (upper) => `_${upper.toLowerCase()}`);
}
