import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, EngineBusyError } from '../src/index.js';
import { forEachTransport } from './helpers/transports.js';
import { within } from './helpers/wait.js';

const transform = new URL('./fixtures/double.js', import.meta.url);

forEachTransport((transport) => {
  test('close() called while the consumer leaves its run resolves', async () => {
    const engine = new Engine({ transform, transport, threads: 1 });
    const records = engine.process(Array.from({ length: 1000 }, (_, n) => ({ value: n })));
    await within(records.next(), 'the first record');
    const closing = engine.close(); // the run is active: close() waits for it to drain
    await records.return(); // the consumer leaves meanwhile
    await within(closing, 'close() to resolve after the consumer left');
  });

  test('a run whose iterator is returned before its first next() frees the engine', async () => {
    const engine = new Engine({ transform, transport, threads: 1 });
    try {
      const unused = engine.process([{ value: 1 }]);
      assert.throws(() => engine.process([{ value: 2 }]), EngineBusyError, 'busy while the first is claimed');
      await unused.return();
      const values: unknown[] = [];
      for await (const record of engine.process([{ value: 3 }])) if (record.kind === 'output') values.push(record.value);
      assert.deepEqual(values, [6]);
    } finally {
      await within(engine.close(), 'close()');
    }
  });
});
