import { Engine } from '@tidemark/engine';
import type { EngineRecord } from '@tidemark/engine';
import { warmupMessages } from './overhead-loop.js';
import type { OverheadOptions, OverheadResult } from './overhead-loop.js';

const trivialUrl = new URL('./workers/trivial.js', import.meta.url);

/**
 * An Engine class: this checkout's, or an earlier commit's imported from the folder it was
 * built in (overhead-base.ts), which has the same constructor options and `process()` (an
 * earlier one may lack `processChunks()`: see `chunkSize`).
 */
export type EngineClass = typeof Engine;

/** Options of an engine overhead run. */
export interface EngineOverheadOptions extends OverheadOptions {
  readonly transport: 'ring' | 'task';
  /** Bytes per value: 0 sends the number itself, else a Uint8Array of this size. */
  readonly payload?: number;
  /** Record Prometheus metrics (on prom-client's default registry). */
  readonly metrics?: boolean;
  /** Take the outputs with `processChunks(source, { size: chunkSize })` instead of record by record. */
  readonly chunkSize?: number;
}

/**
 * The trivial transform through the full engine (reading, tracking, the
 * watermark and acks included), async unordered, timed after a warm-up run
 * on the same pool. The outputs are checked so a broken run cannot report.
 * `EngineClass` is the engine under test: this checkout's unless given.
 */
export async function engineRun(options: EngineOverheadOptions, EngineClass: EngineClass = Engine): Promise<OverheadResult> {
  const { messages, concurrency, threads, transport, payload = 0, metrics = false, chunkSize } = options;
  await using engine = new EngineClass({
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
  if (chunkSize !== undefined && typeof engine.processChunks !== 'function') throw new Error('engine run: this Engine has no processChunks()');
  await drain(engine, source(warmupMessages(threads)), bytes, chunkSize);
  const start = performance.now();
  await drain(engine, source(messages), bytes, chunkSize, messages);
  const ms = performance.now() - start;
  const name = `engine ${transport}${metrics ? ' + metrics' : ''}${payload > 0 ? ` (${payload} B values)` : ''}${chunkSize === undefined ? '' : `, chunks of ${chunkSize}`}`;
  return { name, messages, seconds: ms / 1e3, messagesPerSecond: (messages * 1e3) / ms, nsPerMessage: (ms * 1e6) / messages };
}

async function drain(
  engine: Engine,
  source: Iterable<{ value: unknown }>,
  bytes: Uint8Array | undefined,
  chunkSize: number | undefined,
  expected?: number,
): Promise<void> {
  let count = 0;
  let sum = 0;
  const take = (record: EngineRecord): void => {
    if (record.kind !== 'output') throw new Error(`message ${record.offset} failed: ${record.error.message}`);
    count++;
    // x + 1 on a number; on bytes the transform returns them (see workers/trivial.ts).
    sum += bytes === undefined ? (record.value as number) - record.offset : (record.value as Uint8Array).byteLength;
  };
  if (chunkSize === undefined) for await (const record of engine.process(source)) take(record);
  else for await (const chunk of engine.processChunks(source, { size: chunkSize })) for (const record of chunk) take(record);
  const perMessage = bytes === undefined ? 1 : bytes.byteLength;
  if (expected !== undefined && (count !== expected || sum !== expected * perMessage)) {
    throw new Error(`engine run: ${count} outputs summing to ${sum}, expected ${expected} and ${expected * perMessage}`);
  }
}
