import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import { forEachTransport } from './helpers/transports.js';
import { within } from './helpers/wait.js';

const transform = new URL('./fixtures/identity.js', import.meta.url);

/** An async source (not a generator) whose first items come at once and whose next one never does. */
function stallsAfter(count: number): AsyncIterable<{ value: number }> & { returned: boolean } {
  let given = 0;
  const source = {
    returned: false,
    [Symbol.asyncIterator]() {
      return {
        next: (): Promise<IteratorResult<{ value: number }>> =>
          given < count ? Promise.resolve({ value: { value: given++ }, done: false }) : new Promise<never>(() => {}),
        return: (): Promise<IteratorResult<{ value: number }>> => {
          source.returned = true;
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
  return source;
}

forEachTransport((transport) => {
  test('aborting while the source blocks in next() right after an item ends the run (the read of the item before does not keep the stop from abandoning it)', async () => {
    const engine = new Engine({ transform, transport, threads: 1 });
    try {
      for (const count of [1, 2, 5]) {
        const controller = new AbortController();
        const offsets: number[] = [];
        await within(
          (async () => {
            for await (const record of engine.process(stallsAfter(count), { signal: controller.signal })) {
              offsets.push(record.offset);
              if (offsets.length === count) controller.abort();
            }
          })(),
          `the run of ${count} to end once aborted`,
        );
        assert.deepEqual(offsets.sort((a, b) => a - b), Array.from({ length: count }, (_, i) => i));
      }
    } finally {
      await within(engine.close(), 'close()');
    }
  });
});
