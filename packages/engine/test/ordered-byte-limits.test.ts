import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Gates, gatedEngine } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

// Found by the fuzz test (seed 21). With a processing byte limit, a retry
// waits in the input buffer. In ordered mode, once the output buffer is
// full, only the message the others wait for may start; it must not be
// stuck behind a retry of a later message that came back after it.
forEachTransport((transport) => {
  test('ordered, with byte limits: retries that come back out of order do not wedge the run', async (t) => {
    const gates = new Gates(3);
    const engine = gatedEngine(t, transport, gates, {
      threads: 1,
      concurrency: 3,
      ordering: 'ordered',
      retry: { attempts: 3, backoff: { initial: 0, max: 0 } },
      // One message at the workers at a time (each is over a byte), and an
      // output buffer full once anything is in it.
      buffers: { processing: { bytes: 1 }, output: { messages: 100, bytes: 1 } },
    });
    gates.open(0);
    gates.open(1);
    // 0 and 1 fail their first tries one after the other; 2 then holds the
    // worker while both retries wait, 1's having come back after 0's.
    const source = [gates.message(0, { failUntil: 1 }), gates.message(1, { failUntil: 1 }), gates.message(2)];
    const offsets: number[] = [];
    const run = (async () => {
      for await (const record of engine.process(source)) offsets.push(record.offset);
    })();
    // (Over the task transport both retries then wait, 1's in front; over the
    // ring 0's retry may start before 2 does. Either way the run must end.)
    await until(() => gates.tries(2) === 1, 'message 2 to start', () => engine.traces());
    gates.open(2);
    await within(run, 'the ordered run to end');
    assert.deepEqual(offsets, [0, 1, 2]);
  });
});
