import { statSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bufferNames } from '../buffers/buffer-limit.js';
import type { BufferLimit, BufferName, OverflowPolicy } from '../buffers/buffer-limit.js';
import { InvalidOptionError } from '../errors.js';
import { maxSlots, maxThreads, ringBytesWith, ringShareOfMemory, tasksPerThreadWith } from './option-bounds.js';
import { toOptionError, wordIssue } from './option-error.js';
import { optionSchema } from './option-schema.js';
import { resolveReduce } from './reduce-options.js';
import { reduceRunnerUrl } from '@tidemark/workers';
import type { AnyRegistry, ResolvedOptions } from './options.js';
import { adaptiveSettings } from '../concurrency/adaptive-options.js';
import type { AdaptiveSettings, GivenAdaptive } from '../concurrency/adaptive-options.js';

// The engine options' defaults and the checks that span options:
// `EngineOptions` in (checked by `optionSchema`), `ResolvedOptions` out.

/**
 * The engine options' fixed defaults (the others follow from `threads`,
 * `concurrency` and `mode`), which `tidemark run --help` quotes.
 */
export const optionDefaults = {
  /** `retry.attempts`. */
  attempts: 3,
  /** `retry.backoff.initial`, ms. */
  backoffInitial: 10,
  /** `retry.backoff.max` is the larger of this and `retry.backoff.initial`, ms. */
  backoffMaxAtLeast: 1000,
  /** `timeout`, ms: no limit. */
  timeout: 0,
  transport: 'ring',
  /** 1 MiB. */
  ringBytes: 2 ** 20,
  /** `watermark.maxOutOfOrderness`, ms. */
  maxOutOfOrderness: 0,
  /** `watermark.idleAfter`, ms. */
  idleAfter: 1000,
} as const;

/** With `reduce`, `buffers.output.messages` is at least this by default (the messages of open windows count in it). */
const reduceOutputMessages = 10_000;

/** Check `options` and fill in the defaults; throws {@link InvalidOptionError}. */
export function resolveOptions(options: unknown): ResolvedOptions {
  const parsed = readable(() => optionSchema.safeParse(options, { error: wordIssue }), options);
  if (!parsed.success) throw toOptionError(parsed.error.issues[0], options);
  const o = parsed.data;
  const reduce = resolveReduce(o, toModuleUrl);
  const transform = reduce === undefined ? toModuleUrl(o.transform as URL | string, 'transform') : reduceRunnerUrl(reduce.module);
  const threads = o.threads ?? Math.min(availableParallelism(), maxThreads);
  const mode = o.mode ?? 'async';
  const adaptive = resolveAdaptive(o.concurrency, threads, mode, o.lookahead);
  const given = adaptive?.max ?? (o.concurrency as number | undefined);
  const processingMessages = o.buffers?.processing?.messages;
  if (given !== undefined && processingMessages !== undefined && processingMessages !== given) {
    const what = adaptive === undefined ? `\`concurrency\` (${given})` : `\`concurrency.max\` (${given})`;
    throw new InvalidOptionError('buffers.processing.messages', `${what} or left out: they are the same limit`, processingMessages);
  }
  const concurrency = given ?? processingMessages ?? threads * 4;
  const tasksPerThread = o.tasksPerThread ?? Math.ceil(concurrency / threads);
  if (threads * tasksPerThread > maxSlots) throw new InvalidOptionError('tasksPerThread', tasksPerThreadWith(threads), tasksPerThread);
  const transport = o.transport ?? optionDefaults.transport;
  const ringBytes = o.ringBytes ?? optionDefaults.ringBytes;
  if (transport === 'ring' && 2 * threads * ringBytes > totalmem() * ringShareOfMemory) {
    throw new InvalidOptionError('ringBytes', ringBytesWith(threads, totalmem()), ringBytes);
  }
  if (o.priority !== undefined && mode === 'batch') {
    throw new InvalidOptionError('priority', 'left out in batch mode (a batch is read and dispatched whole)', o.priority);
  }
  if (o.ordering === 'key' && mode === 'batch') {
    throw new InvalidOptionError('ordering', "'unordered' or 'ordered' in batch mode (a batch is dispatched whole)", o.ordering);
  }
  if (o.priority !== undefined && o.ordering === 'key') {
    throw new InvalidOptionError('priority', "left out with ordering: 'key' (each key's messages go in read order)", o.priority);
  }
  if (o.priority !== undefined && o.ordering === 'ordered') {
    throw new InvalidOptionError('priority', "left out with ordering: 'ordered' (outputs leave in read order, so a high priority would only wait in the output buffer)", o.priority);
  }
  const batchSize = o.batchSize ?? concurrency;
  const initial = o.retry?.backoff?.initial ?? optionDefaults.backoffInitial;
  const max = o.retry?.backoff?.max ?? Math.max(optionDefaults.backoffMaxAtLeast, initial);
  if (max < initial) {
    throw new InvalidOptionError('retry.backoff.max', `at least retry.backoff.initial (${initial})`, max);
  }
  return {
    transform,
    reduce,
    threads,
    concurrency,
    adaptive,
    priority: o.priority,
    priorityAging: o.priorityAging ?? 10_000,
    tasksPerThread,
    lookahead: o.lookahead ?? false,
    mode,
    batchSize,
    ordering: o.ordering ?? 'unordered',
    watermark: {
      maxOutOfOrderness: o.watermark?.maxOutOfOrderness ?? optionDefaults.maxOutOfOrderness,
      idleAfter: o.watermark?.idleAfter ?? optionDefaults.idleAfter,
    },
    retry: { attempts: o.retry?.attempts ?? optionDefaults.attempts, initial, max },
    timeout: o.timeout ?? optionDefaults.timeout,
    loadTimeout: o.loadTimeout ?? 60_000,
    resourceLimits: Object.fromEntries(Object.entries(o.resourceLimits ?? {}).filter(([, v]) => v !== undefined)) as Record<string, number>,
    transport,
    ringBytes,
    metrics: resolveMetrics(o.metrics),
    buffers: resolveBuffers(o.buffers ?? {}, concurrency, mode, batchSize, reduce !== undefined),
    execArgv: o.execArgv ?? [],
  };
}

/**
 * The transform's module URL, checked now rather than at the first record:
 * worker threads import `file:` and `data:` modules only, and a `file:` one
 * must be an existing file.
 */
function toModuleUrl(transform: URL | string, option: string): string {
  const url =
    transform instanceof URL
      ? transform
      : /^[a-z][a-z0-9+.-]+:/i.test(transform) && !isAbsolute(transform)
        ? new URL(transform)
        : pathToFileURL(resolve(transform));
  if (url.protocol !== 'file:' && url.protocol !== 'data:') {
    throw new InvalidOptionError(option, 'a file: or data: module (worker threads import no other)', String(transform));
  }
  if (url.protocol === 'file:') {
    const stats = statSync(fileURLToPath(url), { throwIfNoEntry: false });
    if (stats === undefined) throw new InvalidOptionError(option, 'the path or URL of an existing module', String(transform));
    if (stats.isDirectory()) throw new InvalidOptionError(option, 'a module file, not a directory', String(transform));
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
  reduce: boolean,
): Record<BufferName, BufferLimit> {
  const defaults: Record<BufferName, number> = {
    input: mode === 'batch' ? batchSize : Math.ceil(concurrency / 8),
    processing: concurrency,
    // Windowed reduce: the messages of open windows are in flight until their results are taken; room for them.
    output: Math.max(3 * concurrency, batchSize, reduce ? reduceOutputMessages : 0),
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

/** The adaptive controller's settings from the object form of `concurrency`, checked; undefined for a number. */
function resolveAdaptive(
  concurrency: number | GivenAdaptive | undefined,
  threads: number,
  mode: 'async' | 'batch',
  lookahead: boolean | undefined,
): AdaptiveSettings | undefined {
  if (concurrency === undefined || typeof concurrency === 'number') return undefined;
  if (mode === 'batch') throw new InvalidOptionError('concurrency', 'a number in batch mode (a batch is one fixed size)', concurrency);
  if (lookahead === true) {
    throw new InvalidOptionError('lookahead', 'false with the adaptive controller (the workers would hold one more message each than its target, and it would measure latency at a load it did not set)', lookahead);
  }
  const { min, max, initial } = concurrency;
  if (max < min) throw new InvalidOptionError('concurrency.max', `at least concurrency.min (${min})`, max);
  if (initial !== undefined && (initial < min || initial > max)) {
    throw new InvalidOptionError('concurrency.initial', `from concurrency.min to concurrency.max (${min} to ${max})`, initial);
  }
  return adaptiveSettings(concurrency, threads * 4);
}

/** `parse()`, or an {@link InvalidOptionError} when reading the options threw (a getter, a revoked Proxy). */
function readable<T>(parse: () => T, options: unknown): T {
  try {
    return parse();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidOptionError('options', `an object whose fields can be read (reading it threw: ${reason})`, options);
  }
}
