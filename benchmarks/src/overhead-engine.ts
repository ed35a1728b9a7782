import { Engine } from '@tidemark/engine';
import { warmupMessages } from './overhead-loop.js';
import type { OverheadOptions, OverheadResult } from './overhead-loop.js';

const trivialUrl = new URL('./workers/trivial.js', import.meta.url);

/** Options of an engine overhead run. */
export interface EngineOverheadOptions extends OverheadOptions {
  readonly transport: 'ring' | 'task';
  /** Bytes per value: 0 sends the number itself, else a Uint8Array of this size. */
  readonly payload?: number;
  /** Record Prometheus metrics (on prom-client's default registry). */
  readonly metrics?: boolean;
}

/**
 * The trivial transform through the full engine (reading, tracking, the
 * watermark and acks included), async unordered, timed after a warm-up run
 * on the same pool. The outputs are checked so a broken run cannot report.
 */
export async function engineRun(options: EngineOverheadOptions): Promise<OverheadResult> {
  const { messages, concurrency, threads, transport, payload = 0, metrics = false } = options;
  await using engine = new Engine({
    transform: trivialUrl,
    threads,
    concurrency,
    transport,
    retry: { attempts: 1 },
    metrics,
  });
  const bytes = payload > 0 ? new Uint8Array(payload).fill(7) : undefined;
  const source = function* (n: number) {
    for (let i = 0; i < n; i++) yield { value: bytes ?? i };
  };
  await drain(engine, source(warmupMessages(threads)), bytes);
  const start = performance.now();
  await drain(engine, source(messages), bytes, messages);
  const ms = performance.now() - start;
  const name = `engine ${transport}${metrics ? ' + metrics' : ''}${payload > 0 ? ` (${payload} B values)` : ''}`;
  return { name, messages, seconds: ms / 1e3, messagesPerSecond: (messages * 1e3) / ms, nsPerMessage: (ms * 1e6) / messages };
}

async function drain(engine: Engine, source: Iterable<{ value: unknown }>, bytes: Uint8Array | undefined, expected?: number): Promise<void> {
  let count = 0;
  let sum = 0;
  for await (const record of engine.process(source)) {
    if (record.kind !== 'output') throw new Error(`message ${record.offset} failed: ${record.error.message}`);
    count++;
    // x + 1 on a number; on bytes the transform returns them (see workers/trivial.ts).
    sum += bytes === undefined ? (record.value as number) - record.offset : (record.value as Uint8Array).byteLength;
  }
  const perMessage = bytes === undefined ? 1 : bytes.byteLength;
  if (expected !== undefined && (count !== expected || sum !== expected * perMessage)) {
    throw new Error(`engine run: ${count} outputs summing to ${sum}, expected ${expected} and ${expected * perMessage}`);
  }
}
