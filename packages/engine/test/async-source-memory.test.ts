import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'node:test';
import { Engine } from '../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('an async source: an item read and acked long ago is not kept reachable by the run', async () => {
  const engine = new Engine({ transform: new URL('./fixtures/identity.js', import.meta.url), threads: 1, concurrency: 4 });
  try {
    let first: WeakRef<object> | undefined;
    async function* endless(): AsyncGenerator<{ value: { i: number } }> {
      for (let i = 0; ; i++) {
        const value = { i };
        first ??= new WeakRef(value);
        yield { value };
      }
    }
    let taken = 0;
    for await (const record of engine.process(endless())) {
      void record;
      if (++taken === 2000) break;
      if (taken === 1000) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
        gc();
        assert.equal(first?.deref(), undefined, 'the first item is still reachable 1,000 records later');
      }
    }
  } finally {
    await engine.close();
  }
});
