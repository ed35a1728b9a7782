import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Registry } from 'prom-client';
import type { RegistryContentType } from 'prom-client';

/** A prom-client registry of either exposition format. */
export type AnyRegistry = Registry<RegistryContentType>;
import { z } from 'zod';
import { bufferNames, overflowPolicies } from './buffer-limit.js';
import type { BufferLimit, BufferName, OverflowPolicy } from './buffer-limit.js';
import { InvalidOptionError } from './errors.js';
import { toOptionError } from './option-error.js';

/** Options of {@link Engine}. Every option is checked in the constructor. */
export interface EngineOptions {
  /**
   * The transform module: a `file:` URL or a path (relative to the working
   * directory). Its default export is `(value, ctx) => output | Promise<output>`.
   * @example new URL('./transform.js', import.meta.url)
   */
  transform: URL | string;
  /**
   * Worker threads in the pool.
   * @default os.availableParallelism()
   */
  threads?: number;
  /**
   * The in-flight target: how many messages are being processed by the
   * workers at once. May exceed `threads` for async transforms.
   * @default threads * 4
   */
  concurrency?: number;
  /**
   * Messages one worker thread may run at once (piscina's
   * `concurrentTasksPerWorker`). For a sync transform the extra ones wait at
   * the worker, ready the moment it is free.
   * @default Math.ceil(concurrency / threads)
   */
  tasksPerThread?: number;
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
   * @default 'unordered'
   */
  ordering?: 'unordered' | 'ordered';
  /** The input watermark: bounded out-of-orderness with idle advance. */
  watermark?: {
    /**
     * How far (ms of event time) a message may trail the largest event time
     * seen and still be on time.
     * @default 0
     */
    maxOutOfOrderness?: number;
    /**
     * After this many ms with nothing read and nothing in flight, the
     * watermark rises to the largest event time seen.
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
   * @default 0 (no limit)
   */
  timeout?: number;
  /**
   * Resource limits of each worker thread (`worker_threads` ResourceLimits:
   * `maxOldGenerationSizeMb`, `maxYoungGenerationSizeMb`, `codeRangeSizeMb`,
   * `stackSizeMb`). A worker past them dies; its messages are retried.
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
   * Bytes of each ring (two per worker), a power of two from 4096. A record
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
  readonly transform: string;
  readonly threads: number;
  readonly concurrency: number;
  readonly tasksPerThread: number;
  readonly mode: 'async' | 'batch';
  readonly batchSize: number;
  readonly ordering: 'unordered' | 'ordered';
  readonly watermark: { readonly maxOutOfOrderness: number; readonly idleAfter: number };
  readonly retry: { readonly attempts: number; readonly initial: number; readonly max: number };
  readonly timeout: number;
  readonly resourceLimits: Readonly<Record<string, number>>;
  readonly transport: 'ring' | 'task';
  readonly ringBytes: number;
  readonly metrics: { readonly registry?: AnyRegistry; readonly port?: number } | undefined;
  readonly buffers: Readonly<Record<BufferName, BufferLimit>>;
  readonly execArgv: readonly string[];
}

const count = (expected: string, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ error: expected })
    .int({ error: expected })
    .min(1, { error: expected })
    .max(max, { error: expected })
    .optional();
const milliseconds = (expected: string) =>
  z.number({ error: expected }).min(0, { error: expected }).optional();

const bufferSchema = z
  .strictObject(
    {
      messages: count('an integer from 1 and up'),
      // Infinity allowed: no byte limit, as the resolved options show it.
      bytes: z
        .custom<number>((v) => typeof v === 'number' && v > 0, { error: 'a number of bytes above 0 (or Infinity)' })
        .optional(),
      overflow: z.enum(overflowPolicies, { error: "'block', 'drop-oldest', 'drop-newest' or 'reject'" }).optional(),
    },
    { error: 'an object: { messages?, bytes?, overflow? }' },
  )
  .optional();

const schema = z.strictObject({
  transform: z.union([z.instanceof(URL), z.string().min(1, { error: 'a module path or file URL' })], {
    error: 'a module path or file URL',
  }),
  threads: count('an integer from 1 to 1024', 1024),
  concurrency: count('an integer from 1 and up'),
  tasksPerThread: count('an integer from 1 and up'),
  mode: z.enum(['async', 'batch'], { error: "'async' or 'batch'" }).optional(),
  batchSize: count('an integer from 1 and up'),
  ordering: z.enum(['unordered', 'ordered'], { error: "'unordered' or 'ordered'" }).optional(),
  watermark: z
    .strictObject(
      {
        maxOutOfOrderness: milliseconds('a number of ms from 0 and up'),
        idleAfter: milliseconds('a number of ms from 0 and up'),
      },
      { error: 'an object' },
    )
    .optional(),
  retry: z
    .strictObject(
      {
        attempts: count('an integer from 1 and up'),
        backoff: z
          .strictObject(
            {
              initial: milliseconds('a number of ms from 0 and up'),
              max: milliseconds('a number of ms from 0 and up'),
            },
            { error: 'an object' },
          )
          .optional(),
      },
      { error: 'an object' },
    )
    .optional(),
  timeout: milliseconds('a number of ms from 0 and up'),
  resourceLimits: z
    .strictObject(
      {
        maxOldGenerationSizeMb: z.number({ error: 'a number of MB above 0' }).positive({ error: 'a number of MB above 0' }).optional(),
        maxYoungGenerationSizeMb: z.number({ error: 'a number of MB above 0' }).positive({ error: 'a number of MB above 0' }).optional(),
        codeRangeSizeMb: z.number({ error: 'a number of MB above 0' }).positive({ error: 'a number of MB above 0' }).optional(),
        stackSizeMb: z.number({ error: 'a number of MB above 0' }).positive({ error: 'a number of MB above 0' }).optional(),
      },
      { error: 'an object of worker resource limits' },
    )
    .optional(),
  transport: z.enum(['ring', 'task'], { error: "'ring' or 'task'" }).optional(),
  ringBytes: z
    .number({ error: 'a power of two from 4096 to 2^30' })
    .int({ error: 'a power of two from 4096 to 2^30' })
    .min(4096, { error: 'a power of two from 4096 to 2^30' })
    .max(2 ** 30, { error: 'a power of two from 4096 to 2^30' })
    .refine((n) => (n & (n - 1)) === 0, { error: 'a power of two from 4096 to 2^30' })
    .optional(),
  metrics: z
    .union(
      [
        z.boolean(),
        z.strictObject({
          registry: z.instanceof(Registry, { error: 'a prom-client Registry' }).optional(),
          port: z.number().int().min(0).max(65535).optional(),
        }),
      ],
      { error: 'true, or { registry?: Registry, port?: 0..65535 }' },
    )
    .optional(),
  buffers: z
    .strictObject(
      { input: bufferSchema, processing: bufferSchema, output: bufferSchema },
      { error: 'an object: { input?, processing?, output? }' },
    )
    .optional(),
  execArgv: z.array(z.string({ error: 'an array of strings' }), { error: 'an array of strings' }).optional(),
}, { error: 'an object' });

/** Check `options` and fill in the defaults; throws {@link InvalidOptionError}. */
export function resolveOptions(options: unknown): ResolvedOptions {
  const parsed = schema.safeParse(options);
  if (!parsed.success) throw toOptionError(parsed.error.issues[0], options);
  const o = parsed.data;
  const transform = toModuleUrl(o.transform);
  const threads = o.threads ?? availableParallelism();
  const processingMessages = o.buffers?.processing?.messages;
  if (o.concurrency !== undefined && processingMessages !== undefined && processingMessages !== o.concurrency) {
    throw new InvalidOptionError('buffers.processing.messages', `\`concurrency\` (${o.concurrency}) or left out: they are the same limit`, processingMessages);
  }
  const concurrency = o.concurrency ?? processingMessages ?? threads * 4;
  const mode = o.mode ?? 'async';
  const batchSize = o.batchSize ?? concurrency;
  const initial = o.retry?.backoff?.initial ?? 10;
  const max = o.retry?.backoff?.max ?? Math.max(1000, initial);
  if (max < initial) {
    throw new InvalidOptionError('retry.backoff.max', `at least retry.backoff.initial (${initial})`, max);
  }
  return {
    transform,
    threads,
    concurrency,
    tasksPerThread: o.tasksPerThread ?? Math.ceil(concurrency / threads),
    mode,
    batchSize,
    ordering: o.ordering ?? 'unordered',
    watermark: {
      maxOutOfOrderness: o.watermark?.maxOutOfOrderness ?? 0,
      idleAfter: o.watermark?.idleAfter ?? 1000,
    },
    retry: { attempts: o.retry?.attempts ?? 3, initial, max },
    timeout: o.timeout ?? 0,
    resourceLimits: Object.fromEntries(Object.entries(o.resourceLimits ?? {}).filter(([, v]) => v !== undefined)) as Record<string, number>,
    transport: o.transport ?? 'ring',
    ringBytes: o.ringBytes ?? 2 ** 20,
    metrics: resolveMetrics(o.metrics),
    buffers: resolveBuffers(o.buffers ?? {}, concurrency, mode, batchSize),
    execArgv: o.execArgv ?? [],
  };
}

function toModuleUrl(transform: URL | string): string {
  const url =
    transform instanceof URL
      ? transform
      : /^[a-z][a-z0-9+.-]+:/i.test(transform) && !isAbsolute(transform)
        ? new URL(transform)
        : pathToFileURL(resolve(transform));
  if (url.protocol === 'file:' && !existsSync(fileURLToPath(url))) {
    throw new InvalidOptionError('transform', 'the path or URL of an existing module', String(transform));
  }
  return url.href;
}

function resolveMetrics(
  metrics: boolean | { registry?: AnyRegistry | undefined; port?: number | undefined } | undefined,
): ResolvedOptions['metrics'] {
  if (metrics === undefined || metrics === false) return undefined;
  if (metrics === true) return {};
  return {
    ...(metrics.registry === undefined ? {} : { registry: metrics.registry }),
    ...(metrics.port === undefined ? {} : { port: metrics.port }),
  };
}

function resolveBuffers(
  buffers: Partial<Record<BufferName, { messages?: number | undefined; bytes?: number | undefined; overflow?: OverflowPolicy | undefined } | undefined>>,
  concurrency: number,
  mode: 'async' | 'batch',
  batchSize: number,
): Record<BufferName, BufferLimit> {
  const defaults: Record<BufferName, number> = {
    input: mode === 'batch' ? batchSize : Math.ceil(concurrency / 8),
    processing: concurrency,
    output: Math.max(3 * concurrency, batchSize),
  };
  const resolved = {} as Record<BufferName, BufferLimit>;
  for (const name of bufferNames) {
    const given = buffers[name] ?? {};
    const overflow = given.overflow ?? 'block';
    if (mode === 'batch' && overflow !== 'block') {
      throw new InvalidOptionError(`buffers.${name}.overflow`, "'block' in batch mode (a batch leaves whole)", overflow);
    }
    if (name === 'processing' && overflow === 'drop-oldest') {
      throw new InvalidOptionError(
        'buffers.processing.overflow',
        "'block', 'drop-newest' or 'reject' (a message at a worker cannot be taken back; use \`timeout\`)",
        overflow,
      );
    }
    resolved[name] = { messages: given.messages ?? defaults[name], bytes: given.bytes ?? Number.POSITIVE_INFINITY, overflow };
  }
  if (mode === 'batch' && resolved.output.messages < batchSize) {
    throw new InvalidOptionError('buffers.output.messages', `at least batchSize (${batchSize}) in batch mode`, resolved.output.messages);
  }
  return resolved;
}
