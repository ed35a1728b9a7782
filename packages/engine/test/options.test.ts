import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Engine, InvalidOptionError } from '../src/index.js';
import type { EngineOptions } from '../src/index.js';
import { resolveOptions } from '../src/options/resolve-options.js';
import { fixture } from './helpers/gates.js';
import { bad, zodPhrasing } from './helpers/bad-options.js';
import type { BadRow } from './helpers/bad-options.js';

const transform = fixture('echo.js');

function invalid(row: BadRow): (error: unknown) => true {
  return (error) => {
    assert.ok(error instanceof InvalidOptionError, `${row.title}: ${String(error)}`);
    assert.equal(error.code, 'ERR_TIDEMARK_INVALID_OPTION');
    assert.equal(error.option, row.option, row.title);
    assert.equal(error.received, row.received, row.title);
    assert.ok(error.message.startsWith(`Expected \`${row.option}\` to be `), `${row.title}: ${error.message}`);
    assert.ok(error.message.endsWith(`, got ${row.shows}`), `${row.title}: ${error.message}`);
    if (row.expects !== undefined) assert.equal(error.message, `Expected \`${row.option}\` to be ${row.expects}, got ${row.shows}`);
    assert.doesNotMatch(error.message, zodPhrasing, row.title);
    return true;
  };
}

test('resolveOptions rejects each bad option, naming it and showing the value and type received', () => {
  for (const row of bad) assert.throws(() => resolveOptions(row.options), invalid(row));
});

test('the expectation in the message is the option\'s own wording, never a zod default', () => {
  for (const options of ['x', null, { transform, execArgv: [1] }, { transform: '' }, { transform, metrics: { port: -1 } }]) {
    assert.throws(
      () => resolveOptions(options),
      (error: unknown) => {
        assert.ok(error instanceof InvalidOptionError);
        assert.doesNotMatch(error.message, zodPhrasing);
        return true;
      },
    );
  }
});

test('good options get the documented defaults', () => {
  assert.deepEqual(resolveOptions({ transform, threads: 3 }), {
    transform: transform.href,
    reduce: undefined,
    threads: 3,
    concurrency: 12,
    adaptive: undefined,
    priority: undefined,
    priorityAging: 10_000,
    tasksPerThread: 4,
    lookahead: false,
    mode: 'async',
    batchSize: 12,
    ordering: 'unordered',
    watermark: { maxOutOfOrderness: 0, idleAfter: 1000 },
    retry: { attempts: 3, initial: 10, max: 1000 },
    timeout: 0,
    loadTimeout: 60_000,
    resourceLimits: {},
    transport: 'ring',
    ringBytes: 1_048_576,
    metrics: undefined,
    buffers: {
      input: { messages: 2, bytes: Number.POSITIVE_INFINITY, overflow: 'block' },
      processing: { messages: 12, bytes: Number.POSITIVE_INFINITY, overflow: 'block' },
      output: { messages: 36, bytes: Number.POSITIVE_INFINITY, overflow: 'block' },
    },
    execArgv: [],
  });
  assert.equal(
    resolveOptions({ transform, buffers: { input: { bytes: Number.POSITIVE_INFINITY } } }).buffers.input.bytes,
    Number.POSITIVE_INFINITY,
    'Infinity: no byte limit, as the resolved options show it',
  );
  const fromProcessing = resolveOptions({ transform, threads: 1, buffers: { processing: { messages: 6 } } });
  assert.equal(fromProcessing.concurrency, 6, 'buffers.processing.messages is the in-flight target');
  const rounded = resolveOptions({ transform, threads: 3, concurrency: 10 });
  assert.equal(rounded.tasksPerThread, 4, 'ceil(10 / 3)');
  assert.equal(rounded.batchSize, 10);
  const threads = Math.min(availableParallelism(), 256);
  const byCores = resolveOptions({ transform });
  assert.equal(byCores.threads, threads);
  assert.equal(byCores.concurrency, threads * 4);
  assert.equal(byCores.tasksPerThread, 4);
  assert.equal(resolveOptions({ transform, retry: { backoff: { initial: 2000 } } }).retry.max, 2000, 'max is at least initial');
});

test('given options are kept as given', () => {
  const options = {
    transform,
    threads: 2,
    concurrency: 5,
    tasksPerThread: 1,
    lookahead: true,
    mode: 'batch',
    batchSize: 7,
    ordering: 'ordered',
    watermark: { maxOutOfOrderness: 50, idleAfter: 0 },
    retry: { attempts: 1, backoff: { initial: 0, max: 0 } },
    timeout: 250,
    loadTimeout: 5000,
    resourceLimits: { maxOldGenerationSizeMb: 64, stackSizeMb: 8, codeRangeSizeMb: 64 },
    transport: 'task',
    ringBytes: 4096,
    metrics: { port: 0 },
    buffers: {
      input: { messages: 3, bytes: 4096, overflow: 'block' },
      processing: { messages: 5, bytes: 1e6, overflow: 'block' },
      output: { messages: 9, bytes: 65_536, overflow: 'block' },
    },
    execArgv: ['--import', 'tsx'],
  } satisfies EngineOptions;
  assert.deepEqual(resolveOptions(options), {
    ...options,
    transform: transform.href,
    reduce: undefined,
    retry: { attempts: 1, initial: 0, max: 0 },
    adaptive: undefined,
    priority: undefined,
    priorityAging: 10_000,
  });
  const priority = (record: { value: unknown }) => (record.value === 'vip' ? 1 : 0);
  const adaptive = resolveOptions({ transform, threads: 2, concurrency: { min: 2, max: 40, initial: 3, window: 50, tolerance: 0.5 }, priority, priorityAging: 250 });
  assert.deepEqual(
    { concurrency: adaptive.concurrency, adaptive: adaptive.adaptive, priority: adaptive.priority, priorityAging: adaptive.priorityAging },
    {
      concurrency: 40,
      adaptive: { min: 2, max: 40, initial: 3, window: 50, windowSamples: 10, tolerance: 0.5, probeInterval: 30_000, probeSamples: 20, smoothing: 0.5, utilizationLimit: 0.9, memoryLimit: 0.9 },
      priority,
      priorityAging: 250,
    },
  );
  assert.equal(resolveOptions({ transform, priority, priorityAging: Number.POSITIVE_INFINITY }).priorityAging, Number.POSITIVE_INFINITY, 'Infinity: no aging');
  for (const [given, option] of [
    [{ priority, ordering: 'ordered' }, 'priority'],
    [{ priority, mode: 'batch' }, 'priority'],
    [{ priority: 3 }, 'priority'],
    [{ priority, priorityAging: 0 }, 'priorityAging'],
  ] as const) {
    assert.throws(() => resolveOptions({ transform, ...given }), (error: unknown) => error instanceof InvalidOptionError && error.option === option, JSON.stringify(given));
  }
  const policies = resolveOptions({
    transform,
    buffers: { input: { overflow: 'drop-oldest' }, processing: { overflow: 'reject' }, output: { overflow: 'drop-newest' } },
  }).buffers;
  assert.deepEqual(
    [policies.input.overflow, policies.processing.overflow, policies.output.overflow],
    ['drop-oldest', 'reject', 'drop-newest'],
  );
});

test('a transform path, relative or absolute, resolves to its file: URL href', () => {
  const absolute = fileURLToPath(transform);
  assert.equal(resolveOptions({ transform: relative(process.cwd(), absolute) }).transform, transform.href);
  assert.equal(resolveOptions({ transform: absolute }).transform, transform.href);
  assert.equal(resolveOptions({ transform: transform.href }).transform, transform.href);
});

test('new Engine throws the same error synchronously, before any pool exists', (t) => {
  // Worker pools show up as active handles: none may be left by a bad engine.
  const before = process.getActiveResourcesInfo().sort();
  for (const row of bad) assert.throws(() => new Engine(row.options as EngineOptions), invalid(row));
  assert.deepEqual(process.getActiveResourcesInfo().sort(), before);

  const engine = new Engine({ transform, threads: 1 });
  t.after(() => engine.close());
  assert.deepEqual(engine.options, resolveOptions({ transform, threads: 1 }));
  assert.ok(process.getActiveResourcesInfo().length > before.length, 'a good engine does start a pool');
});

test('options whose fields cannot be read (a throwing getter, a revoked Proxy) are an InvalidOptionError, not the raw error', () => {
  const { proxy, revoke } = Proxy.revocable({ transform }, {});
  revoke();
  const getter = Object.defineProperty({ transform }, 'threads', {
    enumerable: true,
    get() {
      throw new Error('no threads for you');
    },
  });
  for (const [options, reason] of [
    [proxy, /revoked/],
    [getter, /no threads for you/],
  ] as const) {
    assert.throws(
      () => new Engine(options),
      (error: unknown) => {
        assert.ok(error instanceof InvalidOptionError, String(error));
        assert.equal(error.option, 'options');
        assert.match(error.message, reason);
        return true;
      },
    );
  }
});

test('execArgv flags a worker thread refuses are an InvalidOptionError from the constructor', () => {
  for (const execArgv of [['--no-such-flag'], ['--stack-size=60']]) {
    assert.throws(
      () => new Engine({ transform, execArgv }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidOptionError, String(error));
        assert.equal(error.option, 'execArgv');
        assert.deepEqual(error.received, execArgv);
        return true;
      },
    );
  }
});
