import type { EngineRecord, SourceRecord } from '../../src/index.js';

/**
 * A pull source of `count` items (endless by default) that counts what it
 * gave, fails with `failure` after them when given, and keeps the reason it
 * was cancelled with. Its high-water mark of 0 makes it give an item only
 * when pipeTo or pipeThrough asks for one.
 */
export function countingSource(count = Number.POSITIVE_INFINITY, options: { item?: (n: number) => SourceRecord; failure?: unknown } = {}) {
  const item = options.item ?? ((n: number) => ({ value: n }));
  const source = {
    produced: 0,
    cancelled: undefined as { reason: unknown } | undefined,
    stream: new ReadableStream<SourceRecord>(
      {
        pull(controller) {
          if (source.produced < count) {
            controller.enqueue(item(source.produced++));
          } else if (options.failure === undefined) {
            controller.close();
          } else {
            controller.error(options.failure);
          }
        },
        cancel(reason) {
          source.cancelled = { reason };
        },
      },
      { highWaterMark: 0 },
    ),
  };
  return source;
}

/** Read every record from `reader` (each seen by `onRecord`), or the error it failed with. */
export async function readAll(
  reader: ReadableStreamDefaultReader<EngineRecord>,
  onRecord?: (count: number) => unknown,
): Promise<{ records: EngineRecord[]; error?: unknown }> {
  const records: EngineRecord[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { records };
      records.push(value);
      await onRecord?.(records.length);
    }
  } catch (error) {
    return { records, error };
  }
}

/** The records' offsets, in order. */
export const offsets = (records: readonly EngineRecord[]): number[] => records.map((record) => record.offset).sort((a, b) => a - b);

/** 0 … count - 1. */
export const range = (count: number): number[] => Array.from({ length: count }, (_, n) => n);
