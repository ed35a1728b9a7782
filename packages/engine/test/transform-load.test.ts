import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, TransformLoadError } from '../src/index.js';
import type { EngineOptions } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { within } from './helpers/wait.js';

const source = [{ value: 1 }, { value: 2 }];

/** Every record of a run, or the error its iterator threw. */
async function outcome(engine: Engine, options: { signal?: AbortSignal } = {}): Promise<{ records: number; error?: unknown }> {
  let records = 0;
  try {
    for await (const _ of engine.process(source, options)) records++;
    return { records };
  } catch (error) {
    return { records, error };
  }
}

function assertLoadError(error: unknown, pattern: RegExp): void {
  assert.ok(error instanceof TransformLoadError, `a TransformLoadError, got ${String(error)}`);
  assert.equal(error.code, 'ERR_TIDEMARK_TRANSFORM_LOAD');
  assert.match(error.message, pattern);
}

forEachTransport((transport) => {
  const engineWith = (options: Omit<EngineOptions, 'transport'>): Engine => new Engine({ transport, threads: 2, concurrency: 4, ...options });

  test('process.exit at a module top level is a TransformLoadError with the exit code, and close() ends', async () => {
    const engine = engineWith({ transform: fixture('load-exit.js') });
    const { records, error } = await within(outcome(engine), 'the first record');
    assert.equal(records, 0);
    assertLoadError(error, /exited with code 7/);
    // The engine stays unusable, and says why, on every later run.
    assertLoadError((await within(outcome(engine), 'a second run')).error, /exited with code 7/);
    await within(engine.close(), 'close()');
  });

  for (const [name, file] of [
    ['a top-level await that never settles', 'load-hang.js'],
    ['a loop at the top level', 'load-spin.js'],
  ] as const) {
    test(`${name} fails with TransformLoadError at loadTimeout, and close() ends`, async () => {
      const engine = engineWith({ transform: fixture(file), loadTimeout: 300 });
      const { records, error } = await within(outcome(engine), 'the first record');
      assert.equal(records, 0);
      assertLoadError(error, /did not load within the 300 ms `loadTimeout`/);
      await within(engine.close(), 'close()');
    });
  }

  test('aborting while the module loads ends the run with nothing read, and close() ends', async () => {
    const engine = engineWith({ transform: fixture('load-hang.js') });
    const controller = new AbortController();
    const run = outcome(engine, { signal: controller.signal });
    controller.abort();
    assert.deepEqual(await within(run, 'the aborted run to end'), { records: 0 });
    await within(engine.close(), 'close()');
  });

  test('close() while the module loads ends the run and the engine', async () => {
    const engine = engineWith({ transform: fixture('load-spin.js') });
    const run = outcome(engine);
    const closed = engine.close();
    assert.deepEqual(await within(run, 'the run to end'), { records: 0 });
    await within(closed, 'close()');
  });

  test('a worker that cannot start within its resourceLimits is a TransformLoadError, not a crash', async () => {
    const engine = engineWith({ transform: fixture('identity.js'), resourceLimits: { maxOldGenerationSizeMb: 1 } });
    const { records, error } = await within(outcome(engine), 'the first record');
    assert.equal(records, 0);
    assertLoadError(error, /could not start within its resourceLimits/);
    await within(engine.close(), 'close()');
  });
});
