import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { within } from './helpers/wait.js';

// A value holding a SharedArrayBuffer goes to the worker over its port, not
// its ring: the commit that wakes the worker then publishes no new bytes, and
// a worker about to wait cannot tell it missed that wake-up. The ring once
// skipped every later wake-up of the same sleep (it notifies each sleep once),
// so a worker that missed the port's stayed asleep with its transforms
// running, and `close()` (whose stop is such a wake-up) never returned. What
// the user did: async transforms over such values, one thread, several in
// flight, run after run, each engine closed.

test('messages whose values go over the port: every run ends and every engine closes', async () => {
  for (let round = 0; round < 25; round++) {
    const shared = new SharedArrayBuffer(8);
    await using engine = new Engine({ transform: fixture('await-ms.js'), threads: 1, concurrency: 16 });
    let outputs = 0;
    const source = Array.from({ length: 120 }, (_, i) => ({ value: { ms: i % 3, i, shared } }));
    await within(
      (async () => {
        for await (const record of engine.process(source)) if (record.kind === 'output') outputs++;
      })(),
      `round ${round}: every record`,
    );
    assert.equal(outputs, source.length, `round ${round}`);
    await within(engine.close(), `round ${round}: close()`);
  }
});
