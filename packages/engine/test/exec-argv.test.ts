import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { Engine } from '../src/index.js';
import type { EngineOptions } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import type { TestTransport } from './helpers/transports.js';
import { within } from './helpers/wait.js';

// `execArgv` reaches every worker thread: an `--import`ed module runs in
// each before its transform (set-global.js leaves a mark that read-global.js
// returns), and the worker's process.execArgv shows the flags.

async function seenByWorkers(t: TestContext, transport: TestTransport, options: Pick<EngineOptions, 'execArgv'>): Promise<unknown[]> {
  const engine = new Engine({ transport, transform: fixture('read-global.js'), threads: 2, concurrency: 8, ...options });
  t.after(() => within(engine.close(), 'the engine to close'));
  const values: unknown[] = [];
  await within(
    (async () => {
      for await (const record of engine.process(Array.from({ length: 16 }, (_, value) => ({ value })))) {
        assert.ok(record.kind === 'output', `offset ${record.offset} is an output`);
        values.push(record.value);
      }
    })(),
    '16 messages through read-global.js',
  );
  return values;
}

forEachTransport((transport) => {
  test('execArgv: every worker runs with the flags given, an --import included', async (t) => {
    const execArgv = ['--import', fixture('set-global.js').href, '--no-warnings'];
    const values = await seenByWorkers(t, transport, { execArgv });
    assert.equal(values.length, 16);
    for (const value of values) assert.deepEqual(value, { mark: 'set by --import', execArgv });
  });

  test('execArgv left out: the workers get no flags and the module is not imported', async (t) => {
    const values = await seenByWorkers(t, transport, {});
    assert.equal(values.length, 16);
    for (const value of values) assert.deepEqual(value, { mark: null, execArgv: [] });
  });
});
