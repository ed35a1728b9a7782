import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { concurrency } from '../src/cli/parse.js';
import { engineOptions } from '../src/cli/run/engine-flags.js';

// `--concurrency n` or `--concurrency min..max`, as the run command parses
// it, and what it hands the engine.

test('--concurrency: n is a fixed target, min..max the adaptive bounds (spaces allowed)', () => {
  assert.equal(concurrency('32'), 32);
  assert.deepEqual(concurrency('1..256'), { min: 1, max: 256 });
  assert.deepEqual(concurrency(' 4 .. 4 '), { min: 4, max: 4 });
  const options = engineOptions({ transform: 't.js', input: '-', output: '-', concurrency: concurrency('2..8') });
  assert.deepEqual(options.concurrency, { min: 2, max: 8 }, 'the bounds reach the engine as concurrency: { min, max }');
});

test('--concurrency: anything else is refused saying what it expects', () => {
  for (const text of ['0', '1..', '..5', '1..x', '0..2', '9..2', '1..2000000', '1e3..2e3', 'many', '']) {
    assert.throws(() => concurrency(text), (error: unknown) => error instanceof InvalidArgumentError && /integer|min\.\.max/.test(error.message), text);
  }
});
