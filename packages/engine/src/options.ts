import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Registry } from 'prom-client';
import type { RegistryContentType } from 'prom-client';

/** A prom-client registry of either exposition format. */
export type AnyRegistry = Registry<RegistryContentType>;
import { z } from 'zod';
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
   * `execArgv` of the worker threads, e.g. `['--import', './register.mjs']`
   * where that module registers a loader (on Node 20, `--import tsx` alone
   * does not reach worker threads).
   * @default []
   */
  execArgv?: string[];
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
  execArgv: z.array(z.string({ error: 'an array of strings' }), { error: 'an array of strings' }).optional(),
}, { error: 'an object' });

/** Check `options` and fill in the defaults; throws {@link InvalidOptionError}. */
export function resolveOptions(options: unknown): ResolvedOptions {
  const parsed = schema.safeParse(options);
  if (!parsed.success) throw toOptionError(parsed.error.issues[0], options);
  const o = parsed.data;
  const transform = toModuleUrl(o.transform);
  const threads = o.threads ?? availableParallelism();
  const concurrency = o.concurrency ?? threads * 4;
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
    mode: o.mode ?? 'async',
    batchSize: o.batchSize ?? concurrency,
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
