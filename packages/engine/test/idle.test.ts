import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { WAIT_LIMIT_MS, within } from './helpers/wait.js';

forEachTransport((transport) => {
  test('an idle source with nothing in flight lets the watermark reach the largest event time', async (t) => {
    const engine = new Engine({
      transport,
      transform: fixture('echo.js'),
      threads: 1,
      watermark: { maxOutOfOrderness: 100, idleAfter: 0 },
    });
    t.after(() => engine.close());
    let release: () => void = () => {};
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* source() {
      yield { value: 1, eventTime: 1000 };
      yield { value: 2, eventTime: 1500 };
      await stalled; // the source has nothing more for now
    }
    const records = engine.process(source());
    await records.next();
    await records.next();
    // Both acked when the consumer asks again; the source is idle, so the watermark
    // rises past max - bound (1400) to the largest event time.
    const finished = records.next();
    const seen: number[] = [];
    const reached = (async () => {
      for (;;) {
        const [value] = (await once(engine, 'watermark')) as [number];
        seen.push(value);
        if (value === 1500) return;
        assert.ok(value <= 1400, `before idle advance the watermark is at most max - bound, got ${value}`);
      }
    })();
    // The bound's timer also holds the process open while the engine's idle
    // timer, which never does (a real source's I/O would), runs.
    await within(reached, 'idle advance to the largest event time, 1500', WAIT_LIMIT_MS).catch((error: Error) => {
      throw new Error(`${error.message}; watermarks seen: ${seen.join(', ')}`);
    });
    release();
    assert.equal((await finished).done, true);
  });
});
