import type { Registry, RegistryContentType } from 'prom-client';
import type { BufferLimit, BufferName, OverflowPolicy } from '../buffers/buffer-limit.js';
import type { SourceRecord } from '../message.js';
import type { AdaptiveConcurrencyOptions, AdaptiveSettings } from '../concurrency/adaptive-options.js';
import type { WindowSpec } from '../reduce/window-spec.js';
import type { ReduceSettings } from './reduce-options.js';

export type { AdaptiveConcurrencyOptions, AdaptiveSettings } from '../concurrency/adaptive-options.js';

/** A prom-client registry of either exposition format. */
export type AnyRegistry = Registry<RegistryContentType>;

/** Options of {@link Engine}. Every option is checked in the constructor. */
export interface EngineOptions {
  /**
   * The transform module: a path (relative to the working directory), a
   * `file:` URL or a `data:` URL; worker threads import no other kind, so an
   * `https:` URL, a directory or a missing file is refused here. Its default
   * export is `(value, ctx) => output | Promise<output>`.
   * @example new URL('./transform.js', import.meta.url)
   */
  transform?: URL | string;
  /**
   * Windowed reduce instead of a transform: the reduce module, a path or
   * URL as `transform` takes. Its default export is `{ create(key, window),
   * add(acc, value, ctx), result(acc, key, window), merge?(a, b, key, window) }`
   * (`merge` for session windows); see the README's "Windowed reduce".
   * Needs `window`; not with `transform`, batch mode, `ordering`, `priority`,
   * the task transport or an output overflow other than `'block'`.
   */
  reduce?: URL | string;
  /** With `reduce`: how messages are grouped into event-time windows (see {@link WindowSpec}). */
  window?: WindowSpec;
  /**
   * With `reduce`: ms of event time past a window's end during which a late
   * message still joins it (the window's result waits for it). A message
   * later than that comes out as a record with `late: true`.
   * @default 0
   */
  allowedLateness?: number;
  /**
   * Worker threads in the pool, 1 to 256 (each is a V8 isolate of its own;
   * see the README for why the cap).
   * @default Math.min(os.availableParallelism(), 256)
   */
  threads?: number;
  /**
   * The in-flight target: how many messages are being processed by the
   * workers at once, 1 to 1000000. May exceed `threads` for async transforms.
   * A number fixes it; `{ min, max, initial? }` lets the adaptive controller
   * move it within `[min, max]` from the run's own signals (see
   * {@link AdaptiveConcurrencyOptions} and the README's "Adaptive
   * concurrency"); `engine.concurrency` is the target of the moment.
   * @default threads * 4
   */
  concurrency?: number | AdaptiveConcurrencyOptions;
  /**
   * The priority of each message, run on the main thread as it is read:
   * higher goes first. The input buffer then serves the highest priority
   * first (equal priorities in read order), and under `drop-oldest` or
   * `drop-newest` the lowest effective priority (aging included, the
   * arriving message among them) is dropped first. It must return a
   * finite number; a throw or anything else fails that message (an
   * `InvalidMessageError`). Async, unordered mode only.
   * @example priority: (record) => (record.value.vip ? 1 : 0)
   */
  priority?: (record: SourceRecord) => number;
  /**
   * With `priority`: ms of waiting that raise a message's priority by one
   * level, so that nothing starves (a message that waited `n *
   * priorityAging` ms ranks with one `n` levels higher that just arrived).
   * `Infinity` turns aging off.
   * @default 10000 (10 s a level: an overload whose waits run to seconds still serves by priority)
   */
  priorityAging?: number;
  /**
   * Messages one worker thread may run at once (piscina's
   * `concurrentTasksPerWorker`). For a sync transform the extra ones wait at
   * the worker, ready the moment it is free. `threads * tasksPerThread` is
   * at most 2^20 (the ring transport allocates a slot for each up front).
   * @default Math.ceil(concurrency / threads)
   */
  tasksPerThread?: number;
  /**
   * Over the ring transport, let each worker hold one message beyond its
   * share, waiting in its ring: it starts the moment a running one ends, so
   * a worker never idles while the main thread handles a result (the gap
   * that matters for CPU-bound transforms at `concurrency = threads`). Still
   * at most `concurrency` messages run at once; it applies only when
   * `threads * tasksPerThread === concurrency` (the default `tasksPerThread`
   * with a `concurrency` that is a multiple of `threads`). `engine.processing`
   * and the processing buffer count the waiting ones too, so a full
   * processing buffer (for its overflow policy) holds one more per worker.
   * @default false
   */
  lookahead?: boolean;
  /**
   * `'async'`: every message on its own, completions forwarded at once.
   * `'batch'`: the old design, kept as the baseline: read `batchSize`
   * messages, process them, wait for the whole batch, emit, ack, repeat.
   * @default 'async'
   */
  mode?: 'async' | 'batch';
  /**
   * Messages per batch in batch mode; ignored in async mode.
   * @default concurrency
   */
  batchSize?: number;
  /**
   * `'unordered'`: each output as soon as its message completes.
   * `'ordered'`: outputs in the order the messages were read.
   * `'key'`: messages with the same `key` are processed one at a time, in
   * read order (a retry included), and their outputs leave in that order;
   * different keys run in parallel, and a slow key holds back only itself
   * (Confluent Parallel Consumer's KEY mode). A message without a key is
   * never held back. Not with `priority` or batch mode.
   * @default 'unordered'
   */
  ordering?: 'unordered' | 'ordered' | 'key';
  /** The input watermark: bounded out-of-orderness with idle advance. */
  watermark?: {
    /**
     * How far (ms of event time) a message may trail the largest event time
     * seen and still be on time. `Infinity`: the engine estimates nothing,
     * and only the watermarks the source gives (`SourceRecord.watermark`)
     * move the input watermark.
     * @default 0
     */
    maxOutOfOrderness?: number;
    /**
     * After this many ms with nothing read and nothing in flight, the
     * watermark rises to the largest event time seen. At most 2^31 - 1
     * (the longest a Node timer waits), as for every time a timer waits.
     * @default 1000
     */
    idleAfter?: number;
  };
  /** Retries of a message whose transform throws. */
  retry?: {
    /**
     * Tries per message in all, the first included; `1` means no retry.
     * @default 3
     */
    attempts?: number;
    /** Exponential backoff between tries: `min(max, initial * 2 ** (try - 1))` ms. */
    backoff?: {
      /** @default 10 */
      initial?: number;
      /** @default Math.max(1000, initial) */
      max?: number;
    };
  };
  /**
   * ms one try of a message may take; past it the try fails with a
   * `TimeoutError` (code `ERR_TIDEMARK_TIMEOUT`) and is retried by `retry`.
   * An async transform sees `ctx.signal` aborted; a worker stuck in a sync
   * transform is replaced (its other messages go out again, not lost).
   * At most 2^31 - 1 ms (the longest a Node timer waits).
   * @default 0 (no limit)
   */
  timeout?: number;
  /**
   * ms the workers may take to load the transform module and start serving
   * (its top-level code and top-level awaits, such as loading a model). Past
   * it the first record throws `TransformLoadError`, as for a module that
   * cannot load, and the workers are stopped.
   * @default 60000
   */
  loadTimeout?: number;
  /**
   * Resource limits of each worker thread (`worker_threads` ResourceLimits:
   * `maxOldGenerationSizeMb`, `maxYoungGenerationSizeMb`, `codeRangeSizeMb`
   * up to 2048, `stackSizeMb` from 1 to 1024). A worker past them dies; its
   * messages are retried.
   */
  resourceLimits?: {
    maxOldGenerationSizeMb?: number;
    maxYoungGenerationSizeMb?: number;
    codeRangeSizeMb?: number;
    stackSizeMb?: number;
  };
  /**
   * How messages reach the workers. `'ring'`: SharedArrayBuffer rings, one
   * long-lived task per worker (values too large for a ring go by
   * `postMessage`). `'task'`: one piscina task per message.
   * @default 'ring'
   */
  transport?: 'ring' | 'task';
  /**
   * Bytes of each ring (two per worker), a power of two from 4096 to 2^30,
   * with `2 * threads * ringBytes` at most half of `os.totalmem()`. A record
   * takes at most a quarter of it; larger values go by `postMessage`.
   * @default 1048576 (1 MiB)
   */
  ringBytes?: number;
  /**
   * Prometheus metrics (prom-client): `true` registers them on prom-client's
   * default registry; `{ registry }` on yours; `{ port }` also serves
   * `/metrics` on 127.0.0.1 (0 picks a free port: see `engine.metricsPort`).
   * @default false (no metrics)
   */
  metrics?: boolean | { registry?: AnyRegistry; port?: number };
  /**
   * Size limits and overflow policies of the three buffers a message passes
   * through: `input` (read, waiting for a worker), `processing` (at the
   * workers; its message limit is `concurrency`) and `output` (settled,
   * waiting for the consumer to take its records). Messages in flight never
   * exceed the three message limits added up, so memory stays bounded
   * whatever the policies. See {@link BufferOptions}.
   */
  buffers?: {
    /** @default { messages: Math.ceil(concurrency / 8) (batchSize in batch mode), overflow: 'block' } */
    input?: BufferOptions;
    /** @default { messages: concurrency, overflow: 'block' } */
    processing?: BufferOptions;
    /** @default { messages: Math.max(3 * concurrency, batchSize), overflow: 'block' } */
    output?: BufferOptions;
  };
  /**
   * `execArgv` of the worker threads, e.g. `['--import', './register.mjs']`
   * where that module registers a loader (on Node 20, `--import tsx` alone
   * does not reach worker threads).
   * @default []
   */
  execArgv?: string[];
}

/**
 * One buffer's limits and what happens when it is full. A buffer is full at
 * `messages` messages or at `bytes` bytes (a value's size is estimated, or
 * given by the source as `SourceRecord.bytes`; see `sizeOf`); under its byte
 * limit it takes one more message whatever its size, so the byte limit is
 * passed by at most one message.
 */
export interface BufferOptions {
  /** Messages the buffer holds at most. */
  messages?: number;
  /** @default Infinity (no byte limit, and no sizes computed) */
  bytes?: number;
  /**
   * What a message that arrives at the full buffer does (see
   * `OverflowPolicy`). `'block'` waits: a full output buffer holds messages
   * back from the workers, a full processing buffer holds them in the input
   * buffer, a full input buffer stops reading the source. The drop policies
   * and `'reject'` keep the stages before the buffer moving at full speed.
   * In the processing buffer, `'drop-newest'` and `'reject'` take a message
   * that cannot start at once, and `'drop-oldest'` is not allowed (a message
   * at a worker cannot be taken back; use `timeout`). Batch mode allows only
   * `'block'` (a batch leaves whole).
   * @default 'block'
   */
  overflow?: OverflowPolicy;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  /** The module the workers load: the transform, or the reduce runner (which imports the reduce module). */
  readonly transform: string;
  /** Windowed reduce, when `reduce` is given. */
  readonly reduce: ReduceSettings | undefined;
  readonly threads: number;
  /** The fixed in-flight target, or under the adaptive controller its `max` (what slots and buffers are sized for). */
  readonly concurrency: number;
  /** The adaptive controller's settings, or undefined for a fixed target. */
  readonly adaptive: AdaptiveSettings | undefined;
  readonly priority: ((record: SourceRecord) => number) | undefined;
  /** ms per priority level; Infinity without aging. */
  readonly priorityAging: number;
  readonly tasksPerThread: number;
  readonly lookahead: boolean;
  readonly mode: 'async' | 'batch';
  readonly batchSize: number;
  readonly ordering: 'unordered' | 'ordered' | 'key';
  readonly watermark: { readonly maxOutOfOrderness: number; readonly idleAfter: number };
  readonly retry: { readonly attempts: number; readonly initial: number; readonly max: number };
  readonly timeout: number;
  readonly loadTimeout: number;
  readonly resourceLimits: Readonly<Record<string, number>>;
  readonly transport: 'ring' | 'task';
  readonly ringBytes: number;
  readonly metrics: { readonly registry?: AnyRegistry; readonly port?: number } | undefined;
  readonly buffers: Readonly<Record<BufferName, BufferLimit>>;
  readonly execArgv: readonly string[];
}
