import type { EngineRecord, SourceRecord } from '../message.js';
import { StreamRun } from './stream-run.js';
import type { ProcessFunction, StreamOptions } from './stream-run.js';

/** Options of a WHATWG stream pair over a run: those of every stream adapter. */
export type TransformStreamOptions = StreamOptions;

/**
 * The WHATWG adapter of a `process` function (`engine.process`, or a
 * remote engine's): a `TransformStream`-shaped `{ readable, writable }`
 * pair (not an instance of the class) for `pipeThrough()` in Node,
 * Deno, Bun and browsers. It uses only the WHATWG globals, and a reader
 * rather than `ReadableStream.from` or async iteration of a stream, which
 * older Chromium lacks.
 *
 * Backpressure: `readable` has a high-water mark of 0, so a record is
 * pulled from the run only when a reader asks for one (and the engine's
 * buffers then hold its reading back); a write resolves only once the
 * engine took the item, and `writable`'s high-water mark of 1 lets one
 * item wait. Errors: a run error errors both sides with it; aborting
 * `writable` or cancelling `readable` ends the run and errors the other
 * side with the reason. The run starts at the first read.
 */
export function toTransformStream<T = unknown>(
  process: ProcessFunction<T>,
  options: TransformStreamOptions = {},
): TransformStream<SourceRecord, EngineRecord<T>> {
  const run = new StreamRun(process, options);
  let readableSide: ReadableStreamDefaultController<EngineRecord<T>> | undefined;
  let writableSide: WritableStreamDefaultController | undefined;
  /** Whether `readable` may still be closed or enqueued to. */
  let open = true;
  const readable = new ReadableStream<EngineRecord<T>>(
    {
      start(controller) {
        readableSide = controller;
      },
      async pull(controller) {
        let result: IteratorResult<EngineRecord<T>, undefined>;
        try {
          result = await run.next();
        } catch (error) {
          open = false;
          writableSide?.error(error);
          throw error; // errors `readable` with the run's error itself
        }
        if (!open) return;
        if (result.done === true) {
          open = false;
          controller.close();
        } else {
          controller.enqueue(result.value);
        }
      },
      cancel(reason) {
        open = false;
        writableSide?.error(reason);
        return run.teardown(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const writable = new WritableStream<SourceRecord>(
    {
      start(controller) {
        writableSide = controller;
      },
      write: (item) => run.write(item),
      close: () => run.end(),
      // `readable` errors once the run has ended, so that whoever sees the
      // error may start the next run on the same engine at once.
      async abort(reason) {
        const wasOpen = open;
        open = false;
        await run.teardown(reason);
        if (wasOpen) readableSide?.error(reason);
      },
    },
    { highWaterMark: 1 },
  );
  return { readable, writable };
}
