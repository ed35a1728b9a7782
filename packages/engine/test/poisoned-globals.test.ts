import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, TransformError } from '../src/index.js';
import type { FailedRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { outcomes } from './helpers/outcomes.js';
import { within } from './helpers/wait.js';

// A transform shares its worker's realm: it may replace the globals the
// worker's own code uses (zone.js swaps `Promise` and wraps `then`; old
// polyfills replace `JSON` or extend `Array.prototype`). poison.js does so
// on the first message, with versions that throw (see the fixture for what
// it replaces). The worker's code keeps the originals, taken before any
// transform loaded: every later message, sync or async, succeeding or
// failing, still completes as it should. One worker, so that every message
// after the first runs where the globals were replaced; a timeout, so that
// the deadline's timer and promise are used too.

forEachTransport((transport) => {
  for (const poison of ['fake', 'subclass'] as const) {
    test(`after a transform replaced the globals (a ${poison} Promise, then, JSON, Atomics…), later messages complete`, async (t) => {
      const engine = new Engine({
        transport,
        transform: fixture('poison.js'),
        threads: 1,
        concurrency: 4,
        timeout: 30_000,
        retry: { attempts: 1 },
      });
      t.after(() => within(engine.close(), 'the engine to close'));
      // A fake Promise cannot be constructed: only the subclass gives the transform a promise of its own to return.
      const modes = poison === 'subclass' ? ['sync', 'async', 'global-promise'] : ['sync', 'async'];
      const source = [
        { value: { n: 0, poison } },
        ...Array.from({ length: 30 }, (_, i) => ({ value: { n: i + 1, mode: modes[i % modes.length], fail: (i + 1) % 5 === 0 } })),
      ];
      const { outputs, failed } = await outcomes(engine, source);
      const failing = source.filter(({ value }) => 'fail' in value && value.fail).map(({ value }) => value.n);
      assert.deepEqual([...failed.keys()].sort((a, b) => a - b), failing, 'only the messages that throw failed');
      for (const n of failing) {
        const { error } = failed.get(n) as FailedRecord;
        assert.ok(error instanceof TransformError);
        assert.equal(error.errorName, 'RangeError');
        assert.equal(error.errorCode, 'E_POISON');
        assert.equal(error.message, `message ${n} fails`);
      }
      assert.equal(outputs.size, source.length - failing.length);
      for (const [n, value] of outputs) assert.deepEqual(value, { n, attempt: 1 }, `message ${n}`);
    });
  }
});
