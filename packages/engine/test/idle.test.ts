import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import { fixture, transport } from './helpers/gates.js';

test('an idle source with nothing in flight lets the watermark reach the largest event time', async (t) => {
  const engine = new Engine({
    transport,
    transform: fixture('echo.js'),
    threads: 1,
    watermark: { maxOutOfOrderness: 100, idleAfter: 0 },
  });
  t.after(() => engine.close());
  // The engine's idle timer does not hold the process open (a real source's I/O would).
  const keepAlive = setInterval(() => {}, 1 << 30);
  t.after(() => clearInterval(keepAlive));
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
  for (;;) {
    const [value] = (await once(engine, 'watermark')) as [number];
    if (value === 1500) break;
    assert.ok(value <= 1400);
  }
  release();
  assert.equal((await finished).done, true);
});
