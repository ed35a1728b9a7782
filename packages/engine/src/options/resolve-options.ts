import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { bufferNames, overflowPolicies } from '../buffers/buffer-limit.js';
import type { BufferLimit, BufferName, OverflowPolicy } from '../buffers/buffer-limit.js';
import { InvalidOptionError } from '../errors.js';
import { toOptionError } from './option-error.js';
import type { AnyRegistry, ResolvedOptions } from './options.js';

// The engine options' schema (zod) and defaults: `EngineOptions` in, `ResolvedOptions` out.

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
  lookahead: z.boolean({ error: 'true or false' }).optional(),
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
  loadTimeout: milliseconds('a number of ms from 1 and up'),
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
    lookahead: o.lookahead ?? false,
    mode,
    batchSize,
    ordering: o.ordering ?? 'unordered',
    watermark: {
      maxOutOfOrderness: o.watermark?.maxOutOfOrderness ?? 0,
      idleAfter: o.watermark?.idleAfter ?? 1000,
    },
    retry: { attempts: o.retry?.attempts ?? 3, initial, max },
    timeout: o.timeout ?? 0,
    loadTimeout: o.loadTimeout ?? 60_000,
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
        "'block', 'drop-newest' or 'reject' (a message at a worker cannot be taken back; use `timeout`)",
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
