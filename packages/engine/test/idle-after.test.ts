import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

// Idle advance with `idleAfter` above 0: the engine's timer counts from the
// event loop's time, taken when the loop turn began, while the idle check
// counts from when the last message was read, so the timer can fire a
// little before `idleAfter` has passed by that clock. It must then wait out
// the rest, not give up: nothing else would arm it again while the source
// stalls. Whether a given run meets that case depends on where the turns
// fall, so the scenario runs many times; every run must see the advance.

const RUNS = 60;

forEachTransport((transport) => {
  test('a source that stalls with nothing in flight always gets its idle advance after idleAfter', async (t) => {
    const engine = new Engine({ transport, transform: fixture('echo.js'), threads: 1, watermark: { maxOutOfOrderness: 100, idleAfter: 2 } });
    t.after(() => engine.close());
    // The engine's idle timer does not hold the process open (a real source's
    // I/O would); the bounded waits below do.
    for (let run = 0; run < RUNS; run++) {
      let resume: () => void = () => {};
      async function* source() {
        yield { value: run, eventTime: 1000 };
        await new Promise<void>((resolve) => {
          resume = resolve;
        });
      }
      const records = engine.process(source());
      const first = await within(records.next(), `run ${run}: the record`);
      assert.equal(first.value?.offset, 0);
      const end = records.next(); // acks it: nothing in flight, and the source gives nothing
      await until(() => engine.watermark === 1000, `run ${run}: the idle advance from 900 to 1000`, () => engine.watermark);
      resume();
      assert.equal((await within(end, `run ${run}: the end`)).done, true);
    }
  });
});
