import { fixture } from './gates.js';

const transform = fixture('echo.js');

/** A bad option and how its InvalidOptionError must read. */
export interface BadRow {
  readonly title: string;
  readonly options: unknown;
  /** The expected `.option` path. */
  readonly option: string;
  /** The expected `.received` (compared with Object.is, so NaN works). */
  readonly received: unknown;
  /** How the message shows the received value and its type. */
  readonly shows: string;
  /** The expectation the message states, where the row pins it. */
  readonly expects?: string;
}

/** zod's own wording, which must never reach a message: each option states what it expects in words of its own. */
export const zodPhrasing = /Invalid input|Invalid option|Too small|Too big|expected \w+ to be|expected \w+, received|[<>]=?\d/;

// Received values compared by reference.
const anArray: unknown[] = [];
const anObject = {};

/** Every option, wrong in each way that matters. */
export const bad: readonly BadRow[] = [
  { title: 'missing transform', options: {}, option: 'transform', received: undefined, shows: '`undefined` (undefined)' },
  {
    title: 'transform path that does not exist',
    options: { transform: 'no/such/transform.js' },
    option: 'transform',
    received: 'no/such/transform.js',
    shows: '`"no/such/transform.js"` (string)',
  },
  {
    title: 'transform URL that does not exist',
    options: { transform: new URL('file:///no/such/transform.js') },
    option: 'transform',
    received: 'file:///no/such/transform.js',
    shows: '`"file:///no/such/transform.js"` (string)',
  },
  { title: 'threads 0', options: { transform, threads: 0 }, option: 'threads', received: 0, shows: '`0` (number)' },
  { title: "transport 'pipe'", options: { transform, transport: 'pipe' }, option: 'transport', received: 'pipe', shows: '`"pipe"` (string)' },
  { title: 'timeout -1', options: { transform, timeout: -1 }, option: 'timeout', received: -1, shows: '`-1` (number)' },
  {
    title: 'resourceLimits.maxOldGenerationSizeMb 0',
    options: { transform, resourceLimits: { maxOldGenerationSizeMb: 0 } },
    option: 'resourceLimits.maxOldGenerationSizeMb',
    received: 0,
    shows: '`0` (number)',
  },
  { title: 'ringBytes 5000', options: { transform, ringBytes: 5000 }, option: 'ringBytes', received: 5000, shows: '`5000` (number)' },
  { title: 'metrics "yes"', options: { transform, metrics: 'yes' }, option: 'metrics', received: 'yes', shows: '`"yes"` (string)' },
  { title: 'threads 1.5', options: { transform, threads: 1.5 }, option: 'threads', received: 1.5, shows: '`1.5` (number)' },
  { title: "threads '4'", options: { transform, threads: '4' }, option: 'threads', received: '4', shows: '`"4"` (string)' },
  { title: 'threads NaN', options: { transform, threads: Number.NaN }, option: 'threads', received: Number.NaN, shows: '`NaN` (number)' },
  { title: 'threads 2000', options: { transform, threads: 2000 }, option: 'threads', received: 2000, shows: '`2000` (number)' },
  { title: 'concurrency 0', options: { transform, concurrency: 0 }, option: 'concurrency', received: 0, shows: '`0` (number)' },
  { title: 'lookahead "yes"', options: { transform, lookahead: 'yes' as unknown as boolean }, option: 'lookahead', received: 'yes', shows: '`"yes"` (string)' },
  { title: 'tasksPerThread -1', options: { transform, tasksPerThread: -1 }, option: 'tasksPerThread', received: -1, shows: '`-1` (number)' },
  { title: "mode 'fast'", options: { transform, mode: 'fast' }, option: 'mode', received: 'fast', shows: '`"fast"` (string)' },
  { title: "ordering 'sorted'", options: { transform, ordering: 'sorted' }, option: 'ordering', received: 'sorted', shows: '`"sorted"` (string)' },
  { title: 'batchSize 0', options: { transform, batchSize: 0 }, option: 'batchSize', received: 0, shows: '`0` (number)' },
  {
    title: "buffers.input.overflow 'spill'",
    options: { transform, buffers: { input: { overflow: 'spill' } } },
    option: 'buffers.input.overflow',
    received: 'spill',
    shows: '`"spill"` (string)',
  },
  {
    title: 'buffers.output.messages 0',
    options: { transform, buffers: { output: { messages: 0 } } },
    option: 'buffers.output.messages',
    received: 0,
    shows: '`0` (number)',
  },
  {
    title: 'buffers.input.bytes -1',
    options: { transform, buffers: { input: { bytes: -1 } } },
    option: 'buffers.input.bytes',
    received: -1,
    shows: '`-1` (number)',
  },
  {
    title: "buffers.processing.overflow 'drop-oldest' (a message at a worker cannot be taken back)",
    options: { transform, buffers: { processing: { overflow: 'drop-oldest' } } },
    option: 'buffers.processing.overflow',
    received: 'drop-oldest',
    shows: '`"drop-oldest"` (string)',
  },
  {
    title: "buffers.input.overflow 'drop-newest' in batch mode",
    options: { transform, mode: 'batch', buffers: { input: { overflow: 'drop-newest' } } },
    option: 'buffers.input.overflow',
    received: 'drop-newest',
    shows: '`"drop-newest"` (string)',
  },
  {
    title: 'buffers.output.messages below batchSize in batch mode',
    options: { transform, mode: 'batch', batchSize: 10, buffers: { output: { messages: 5 } } },
    option: 'buffers.output.messages',
    received: 5,
    shows: '`5` (number)',
  },
  {
    title: 'buffers.processing.messages other than concurrency',
    options: { transform, concurrency: 4, buffers: { processing: { messages: 8 } } },
    option: 'buffers.processing.messages',
    received: 8,
    shows: '`8` (number)',
  },
  {
    title: 'watermark.maxOutOfOrderness -1',
    options: { transform, watermark: { maxOutOfOrderness: -1 } },
    option: 'watermark.maxOutOfOrderness',
    received: -1,
    shows: '`-1` (number)',
  },
  {
    title: "watermark.idleAfter 'x'",
    options: { transform, watermark: { idleAfter: 'x' } },
    option: 'watermark.idleAfter',
    received: 'x',
    shows: '`"x"` (string)',
  },
  { title: 'retry.attempts 0', options: { transform, retry: { attempts: 0 } }, option: 'retry.attempts', received: 0, shows: '`0` (number)' },
  {
    title: 'retry.backoff.initial -5',
    options: { transform, retry: { backoff: { initial: -5 } } },
    option: 'retry.backoff.initial',
    received: -5,
    shows: '`-5` (number)',
  },
  {
    title: 'retry.backoff.max below initial',
    options: { transform, retry: { backoff: { initial: 100, max: 50 } } },
    option: 'retry.backoff.max',
    received: 50,
    shows: '`50` (number)',
  },
  { title: 'unknown top-level key', options: { transform, speed: 3 }, option: 'speed', received: 3, shows: '`3` (number)' },
  { title: 'unknown nested key', options: { transform, retry: { tries: 5 } }, option: 'retry.tries', received: 5, shows: '`5` (number)' },
  { title: "execArgv 'x'", options: { transform, execArgv: 'x' }, option: 'execArgv', received: 'x', shows: '`"x"` (string)' },
  {
    title: 'metrics.port -1',
    options: { transform, metrics: { port: -1 } },
    option: 'metrics.port',
    received: -1,
    shows: '`-1` (number)',
    expects: 'an integer from 0 to 65535',
  },
  {
    title: 'metrics.port 1.5 (inside the union: the port is named, not the whole metrics object)',
    options: { transform, metrics: { port: 1.5 } },
    option: 'metrics.port',
    received: 1.5,
    shows: '`1.5` (number)',
    expects: 'an integer from 0 to 65535',
  },
  { title: "metrics.port '9464'", options: { transform, metrics: { port: '9464' } }, option: 'metrics.port', received: '9464', shows: '`"9464"` (string)' },
  { title: 'metrics.port 70000', options: { transform, metrics: { port: 70_000 } }, option: 'metrics.port', received: 70_000, shows: '`70000` (number)' },
  {
    title: 'metrics.registry not a Registry',
    options: { transform, metrics: { registry: 5 } },
    option: 'metrics.registry',
    received: 5,
    shows: '`5` (number)',
    expects: 'a prom-client Registry',
  },
  { title: 'metrics unknown key', options: { transform, metrics: { host: 'x' } }, option: 'metrics.host', received: 'x', shows: '`"x"` (string)' },
  { title: 'metrics 1', options: { transform, metrics: 1 }, option: 'metrics', received: 1, shows: '`1` (number)' },
  { title: 'transform 5', options: { transform: 5 }, option: 'transform', received: 5, shows: '`5` (number)' },
  { title: "transform ''", options: { transform: '' }, option: 'transform', received: '', shows: '`""` (string)', expects: 'a module path or file URL' },
  {
    title: 'execArgv with a number in it',
    options: { transform, execArgv: ['--a', 2] },
    option: 'execArgv[1]',
    received: 2,
    shows: '`2` (number)',
    expects: 'a string',
  },
  { title: 'lookahead 1', options: { transform, lookahead: 1 }, option: 'lookahead', received: 1, shows: '`1` (number)', expects: 'true or false' },
  { title: 'batchSize 2.5', options: { transform, batchSize: 2.5 }, option: 'batchSize', received: 2.5, shows: '`2.5` (number)' },
  { title: 'retry.attempts 1.5', options: { transform, retry: { attempts: 1.5 } }, option: 'retry.attempts', received: 1.5, shows: '`1.5` (number)' },
  { title: 'retry 3', options: { transform, retry: 3 }, option: 'retry', received: 3, shows: '`3` (number)' },
  { title: 'retry.backoff 10', options: { transform, retry: { backoff: 10 } }, option: 'retry.backoff', received: 10, shows: '`10` (number)' },
  { title: 'watermark true', options: { transform, watermark: true }, option: 'watermark', received: true, shows: '`true` (boolean)' },
  {
    title: 'watermark.maxOutOfOrderness NaN',
    options: { transform, watermark: { maxOutOfOrderness: Number.NaN } },
    option: 'watermark.maxOutOfOrderness',
    received: Number.NaN,
    shows: '`NaN` (number)',
  },
  { title: 'timeout NaN', options: { transform, timeout: Number.NaN }, option: 'timeout', received: Number.NaN, shows: '`NaN` (number)' },
  { title: 'loadTimeout 0', options: { transform, loadTimeout: 0 }, option: 'loadTimeout', received: 0, shows: '`0` (number)' },
  { title: 'resourceLimits []', options: { transform, resourceLimits: anArray }, option: 'resourceLimits', received: anArray, shows: '`` (array)' },
  {
    title: 'resourceLimits.maxYoungGenerationSizeMb -1',
    options: { transform, resourceLimits: { maxYoungGenerationSizeMb: -1 } },
    option: 'resourceLimits.maxYoungGenerationSizeMb',
    received: -1,
    shows: '`-1` (number)',
  },
  {
    title: "resourceLimits.codeRangeSizeMb '64'",
    options: { transform, resourceLimits: { codeRangeSizeMb: '64' } },
    option: 'resourceLimits.codeRangeSizeMb',
    received: '64',
    shows: '`"64"` (string)',
  },
  {
    title: 'resourceLimits.stackSizeMb 0',
    options: { transform, resourceLimits: { stackSizeMb: 0 } },
    option: 'resourceLimits.stackSizeMb',
    received: 0,
    shows: '`0` (number)',
  },
  { title: 'ringBytes 2048', options: { transform, ringBytes: 2048 }, option: 'ringBytes', received: 2048, shows: '`2048` (number)' },
  { title: 'ringBytes 4096.5', options: { transform, ringBytes: 4096.5 }, option: 'ringBytes', received: 4096.5, shows: '`4096.5` (number)' },
  { title: 'buffers []', options: { transform, buffers: anArray }, option: 'buffers', received: anArray, shows: '`` (array)' },
  { title: 'buffers.output 4', options: { transform, buffers: { output: 4 } }, option: 'buffers.output', received: 4, shows: '`4` (number)' },
  {
    title: "buffers.input.bytes '1kb'",
    options: { transform, buffers: { input: { bytes: '1kb' } } },
    option: 'buffers.input.bytes',
    received: '1kb',
    shows: '`"1kb"` (string)',
  },
  {
    title: 'buffers.output.messages 1.5',
    options: { transform, buffers: { output: { messages: 1.5 } } },
    option: 'buffers.output.messages',
    received: 1.5,
    shows: '`1.5` (number)',
  },
  { title: 'unknown buffer', options: { transform, buffers: { middle: anObject } }, option: 'buffers.middle', received: anObject, shows: '`[object Object]` (object)' },
  { title: 'options a string', options: 'x', option: 'options', received: 'x', shows: '`"x"` (string)' },
  { title: 'options null', options: null, option: 'options', received: null, shows: '`null` (null)' },
  { title: 'options undefined', options: undefined, option: 'options', received: undefined, shows: '`undefined` (undefined)' },
];

/** The checks every bad row must pass, for `assert.throws`. */
