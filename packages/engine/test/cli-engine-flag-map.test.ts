import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withFlagNames } from '../src/cli/flag-names.js';
import { engineFlags, engineOptions } from '../src/cli/run/engine-flags.js';
import type { RunCommandOptions } from '../src/cli/run/run-command.js';
import { InvalidOptionError } from '../src/errors.js';
import { resolveOptions } from '../src/options/resolve-options.js';
import { cliFixture } from './helpers/cli.js';

// The one table from `tidemark run`'s flags to the engine options they set:
// every engine option path in it is one the engine checks under that name,
// so every error the engine gives for a value a flag set names that flag.

const base: RunCommandOptions = { transform: cliFixture('cli-upper.js'), input: '-', output: '-' };

/** The engine's error for `options`, as the CLI reports it. */
function reported(options: RunCommandOptions): InvalidOptionError {
  try {
    resolveOptions(engineOptions(options));
  } catch (error) {
    assert.ok(error instanceof InvalidOptionError, String(error));
    return withFlagNames(error, engineFlags);
  }
  assert.fail(`the engine took ${JSON.stringify(options)}`);
}

test('every engine option a flag sets, given a value the engine refuses, is reported under the flag', () => {
  const switches = new Set(['--ordered']); // on or off: no value to refuse
  assert.ok(engineFlags.length >= 20, 'the table covers the run flags');
  for (const { flag, option, path } of engineFlags) {
    if (switches.has(flag)) continue;
    // An object is of the wrong type for every option the CLI sets.
    const error = reported({ ...base, [option]: { not: 'a value' } });
    assert.equal(error.option, flag, `${path} (${error.message})`);
    assert.match(error.message, new RegExp(`^Expected \`${flag}\` to be .+, got `), path);
    assert.equal(error.code, 'ERR_TIDEMARK_INVALID_OPTION');
  }
});

test('the options the flags give are the engine options they name, and only those given', () => {
  assert.deepEqual(engineOptions(base), { transform: base.transform, ordering: 'unordered' });
  assert.deepEqual(
    engineOptions({
      ...base,
      ordered: true,
      attempts: 5,
      retryInitial: 20,
      retryMax: 400,
      timeout: 1000,
      transport: 'task',
      ringBytes: 8192,
      inputOverflow: 'drop-oldest',
      outputBuffer: 9,
      idleAfter: 50,
    }),
    {
      transform: base.transform,
      ordering: 'ordered',
      retry: { attempts: 5, backoff: { initial: 20, max: 400 } },
      timeout: 1000,
      transport: 'task',
      ringBytes: 8192,
      buffers: { input: { overflow: 'drop-oldest' }, output: { messages: 9 } },
      watermark: { idleAfter: 50 },
    },
  );
});

test('an error about an option no flag sets is left as the engine gave it', () => {
  const error = new InvalidOptionError('tasksPerThread', 'at most 4096 with 256 threads', 5000);
  assert.equal(withFlagNames(error, engineFlags), error);
});
