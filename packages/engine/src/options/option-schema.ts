import { z } from 'zod';
import type { AnyRegistry } from './options.js';
import type { SourceRecord } from '../message.js';
import { overflowPolicies } from '../buffers/buffer-limit.js';
import * as bounds from './option-bounds.js';

// The engine options' schema (zod). Every check carries the expectation the
// error shows (``Expected `threads` to be <this>, got …``), with the reason
// for a bound; `option-error.ts` words any check that does not.

const whole = (expected: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.number({ error: expected }).int({ error: expected }).min(min, { error: expected }).max(max, { error: expected });

const integer = (expected: string, min: number, max?: number) => whole(expected, min, max).optional();

const count = (expected: string, max?: number) => integer(expected, 1, max);

/** A time a Node timer waits: from `min` to the longest it holds. */
const timer = (min = 0) => {
  const expected = bounds.milliseconds(min);
  return z.number({ error: expected }).min(min, { error: expected }).max(bounds.maxTimerMs, { error: expected }).optional();
};

const megabytes = (expected: string, min: number | undefined, max = Number.MAX_VALUE) => {
  const base = z.number({ error: expected });
  return (min === undefined ? base.positive({ error: expected }) : base.min(min, { error: expected })).max(max, { error: expected }).optional();
};

/** A finite number from 0 to `max`. */
const fraction = (expected: string, max: number) =>
  z.number({ error: expected }).min(0, { error: expected }).max(max, { error: expected }).optional();

/** A share above 0, up to 1 (at 0 a limit would always bind). */
const share = z
  .number({ error: 'a number above 0, up to 1' })
  .positive({ error: 'a number above 0, up to 1' })
  .max(1, { error: 'a number above 0, up to 1' })
  .optional();

const anObject = (shape: string) => ({ error: `an object: ${shape}` });

const buffer = (messages: string, max?: number) =>
  z
    .strictObject(
      {
        messages: count(messages, max),
        // Infinity allowed: no byte limit, as the resolved options show it.
        bytes: z
          .custom<number>((v) => typeof v === 'number' && v > 0, { error: 'a number of bytes above 0 (or Infinity)' })
          .optional(),
        overflow: z.enum(overflowPolicies, { error: "'block', 'drop-oldest', 'drop-newest' or 'reject'" }).optional(),
      },
      anObject('{ messages?, bytes?, overflow? }'),
    )
    .optional();

const modulePath = 'a module path or file URL';

/** A span of event time: finite, above 0. */
const span = (expected: string) => z.number({ error: expected }).positive({ error: expected }).max(2 ** 52, { error: expected });

const windowShapes = '{ tumbling: ms }, { sliding: { size, every } } or { session: { gap } }';
const windowKinds = ['tumbling', 'sliding', 'session'];
/** One of the three shapes, named by its only key (checked first, so that a wrong shape is named as such, not as a missing field). */
const oneWindowKind = z.custom<object>(
  (v) => typeof v === 'object' && v !== null && Object.keys(v).length === 1 && windowKinds.includes(Object.keys(v)[0] as string),
  { error: windowShapes },
);
const windowSchema = oneWindowKind.pipe(z.union(
  [
    z.strictObject({ tumbling: span('a number of ms above 0, up to 2^52') }),
    z.strictObject({
      sliding: z.strictObject({ size: span('a number of ms above 0, up to 2^52'), every: span('a number of ms above 0, up to 2^52') }, anObject('{ size, every }')),
    }),
    z.strictObject({ session: z.strictObject({ gap: span('a number of ms above 0, up to 2^52') }, anObject('{ gap }')) }),
  ],
  { error: windowShapes },
));
const port = 'an integer from 0 to 65535';
const powerOfTwo = 'a power of two from 4096 to 2^30';

export const optionSchema = z.strictObject(
  {
    transform: z.union([z.instanceof(URL), z.string().min(1, { error: modulePath })], { error: modulePath }).optional(),
    reduce: z.union([z.instanceof(URL), z.string().min(1, { error: modulePath })], { error: modulePath }).optional(),
    window: windowSchema.optional(),
    allowedLateness: z
      .number({ error: 'a number of ms from 0 to 2^52' })
      .min(0, { error: 'a number of ms from 0 to 2^52' })
      .max(2 ** 52, { error: 'a number of ms from 0 to 2^52' })
      .optional(),
    threads: count(bounds.threads, bounds.maxThreads),
    concurrency: z
      .union(
        [
          whole(bounds.concurrency, 1, bounds.maxConcurrency),
          z.strictObject(
            {
              min: whole(bounds.concurrency, 1, bounds.maxConcurrency),
              max: whole(bounds.concurrency, 1, bounds.maxConcurrency),
              initial: count(bounds.concurrency, bounds.maxConcurrency),
              window: timer(1),
              windowSamples: count('an integer from 1 and up', 1_000_000),
              tolerance: fraction('a number from 0 to 10', 10),
              probeInterval: timer(1),
              probeSamples: count('an integer from 1 and up', 1_000_000),
              smoothing: fraction('a number from 0 to 1', 1),
              utilizationLimit: share,
              memoryLimit: share,
            },
            anObject('{ min, max, initial?, window?, windowSamples?, tolerance?, probeInterval?, probeSamples?, smoothing?, utilizationLimit?, memoryLimit? }'),
          ),
        ],
        { error: `${bounds.concurrency}, or an object: { min, max, initial?, … } for the adaptive controller` },
      )
      .optional(),
    priority: z.custom<(record: SourceRecord) => number>((v) => typeof v === 'function', { error: 'a function (record) => number' }).optional(),
    // Infinity allowed: no aging.
    priorityAging: z
      .custom<number>((v) => typeof v === 'number' && v > 0, { error: 'a number of ms above 0 (or Infinity for no aging)' })
      .optional(),
    tasksPerThread: count(bounds.tasksPerThread, bounds.maxSlots),
    lookahead: z.boolean({ error: 'true or false' }).optional(),
    mode: z.enum(['async', 'batch'], { error: "'async' or 'batch'" }).optional(),
    batchSize: count('an integer from 1 and up'),
    ordering: z.enum(['unordered', 'ordered', 'key'], { error: "'unordered', 'ordered' or 'key'" }).optional(),
    watermark: z
      .strictObject(
        {
          // Event time, not a timer: any span; Infinity leaves the watermark to the source's own (`SourceRecord.watermark`).
          maxOutOfOrderness: z
            .custom<number>((v) => typeof v === 'number' && v >= 0, { error: 'a number of ms from 0 and up (Infinity: only the source\'s own watermarks move it)' })
            .optional(),
          idleAfter: timer(),
        },
        anObject('{ maxOutOfOrderness?, idleAfter? }'),
      )
      .optional(),
    retry: z
      .strictObject(
        {
          attempts: count('an integer from 1 and up'),
          backoff: z.strictObject({ initial: timer(), max: timer() }, anObject('{ initial?, max? }')).optional(),
        },
        anObject('{ attempts?, backoff? }'),
      )
      .optional(),
    timeout: timer(),
    loadTimeout: timer(1),
    resourceLimits: z
      .strictObject(
        {
          maxOldGenerationSizeMb: megabytes('a number of MB above 0', undefined),
          maxYoungGenerationSizeMb: megabytes('a number of MB above 0', undefined),
          codeRangeSizeMb: megabytes(bounds.codeRangeSizeMb, undefined, bounds.maxCodeRangeMb),
          stackSizeMb: megabytes(bounds.stackSizeMb, bounds.minStackMb, bounds.maxStackMb),
        },
        anObject('{ maxOldGenerationSizeMb?, maxYoungGenerationSizeMb?, codeRangeSizeMb?, stackSizeMb? }'),
      )
      .optional(),
    transport: z.enum(['ring', 'task'], { error: "'ring' or 'task'" }).optional(),
    ringBytes: whole(powerOfTwo, 4096, 2 ** 30)
      .refine((n) => (n & (n - 1)) === 0, { error: powerOfTwo })
      .optional(),
    metrics: z
      .union(
        [
          z.boolean(),
          z.strictObject({
            registry: z.custom<AnyRegistry>(isRegistry, { error: 'a prom-client Registry' }).optional(),
            port: integer(port, 0, 65535),
          }),
        ],
        { error: `true, false or an object: { registry?: Registry, port?: ${port} }` },
      )
      .optional(),
    buffers: z
      .strictObject(
        {
          input: buffer('an integer from 1 and up'),
          // Its message limit is the in-flight target: bounded as `concurrency` is.
          processing: buffer(bounds.concurrency, bounds.maxConcurrency),
          output: buffer('an integer from 1 and up'),
        },
        anObject('{ input?, processing?, output? }'),
      )
      .optional(),
    execArgv: z.array(z.string({ error: 'a string' }), { error: 'an array of strings' }).optional(),
  },
  { error: 'an object' },
);

/**
 * Whether `value` is a prom-client `Registry`, by its shape: the user's own
 * copy of prom-client (another install, another version of the same API)
 * has a `Registry` class of its own, which `instanceof` would refuse.
 */
function isRegistry(value: unknown): value is AnyRegistry {
  if (typeof value !== 'object' || value === null) return false;
  const registry = value as Record<string, unknown>;
  const methods = ['registerMetric', 'removeSingleMetric', 'getSingleMetric', 'metrics'] as const;
  return methods.every((name) => typeof registry[name] === 'function') && typeof registry['contentType'] === 'string';
}
