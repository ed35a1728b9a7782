import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, TransformError } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { outcomes } from './helpers/outcomes.js';
import { within } from './helpers/wait.js';

// An output structured clone cannot copy fails its own message, with the
// error structured clone gives (over either transport): never its worker,
// nor the other messages that worker holds. One worker holds all eight
// messages in flight, so a worker death would charge the others a try.

/**
 * The error each kind of output fails with: its name and code (a
 * DataCloneError is a DOMException, whose legacy numeric code is 25).
 */
const kinds = {
  function: { name: 'DataCloneError', code: '25', message: /could not be cloned/ },
  symbol: { name: 'DataCloneError', code: '25', message: /could not be cloned/ },
  weakmap: { name: 'DataCloneError', code: '25', message: /WeakMap.*could not be cloned/ },
  promise: { name: 'DataCloneError', code: '25', message: /Promise.*could not be cloned/ },
  getter: { name: 'Error', code: 'E_GETTER', message: /the getter threw/ },
  port: { name: 'TypeError', code: 'ERR_MISSING_TRANSFERABLE_IN_TRANSFER_LIST', message: /needs transfer/ },
} as const;

forEachTransport((transport) => {
  for (const [kind, expected] of Object.entries(kinds)) {
    test(`an output holding a ${kind} fails its own message only, with ${expected.name}`, async (t) => {
      const engine = new Engine({
        transport,
        transform: fixture('uncloneable.js'),
        threads: 1,
        concurrency: 8,
        retry: { attempts: 2, backoff: { initial: 0, max: 0 } },
      });
      t.after(() => within(engine.close(), 'the engine to close'));
      const source = Array.from({ length: 24 }, (_, n) => ({ value: { n, ...(n === 3 ? { output: kind } : {}) } }));
      const { outputs, failed } = await outcomes(engine, source);
      assert.deepEqual(
        [...failed].map(([offset, record]) => [offset, record.error.message]).filter(([offset]) => offset !== 3),
        [],
        'no other message failed',
      );
      const { error, attempts } = failed.get(3) ?? assert.fail('offset 3 did not fail');
      assert.equal(attempts, 2, 'it fails every try');
      assert.ok(error instanceof TransformError);
      assert.equal(error.errorName, expected.name, error.message);
      assert.equal(error.errorCode, expected.code);
      assert.match(error.message, expected.message);
      assert.equal(outputs.size, 23);
      for (const [offset, value] of outputs) assert.deepEqual(value, { n: offset });
      // Its own retry only: no other message was charged a try.
      assert.equal(engine.stats?.retried, 1);
    });
  }
});
