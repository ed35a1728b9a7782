import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import type { EngineRecord } from '../src/index.js';
import { Gates, fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { within } from './helpers/wait.js';

// `tasksPerThread` bounds the messages one thread holds at once, below the
// in-flight target if need be (the options allow any integer from 1 up,
// whatever `concurrency` is). Gated messages count the starts: a message
// starts only when one at the workers completes, so with one gate opened
// at a time exactly one more starts each time, never more.

const rows = [
  { threads: 1, tasksPerThread: 2, concurrency: 4, messages: 8 },
  { threads: 2, tasksPerThread: 1, concurrency: 6, messages: 8 },
];

forEachTransport((transport) => {
  for (const { threads, tasksPerThread, concurrency, messages } of rows) {
    const held = threads * tasksPerThread;
    test(`threads ${threads}, tasksPerThread ${tasksPerThread}, concurrency ${concurrency}: only ${held} messages run at once`, async (t) => {
      const engine = new Engine({ transport, transform: fixture('gated.js'), threads, tasksPerThread, concurrency });
      const gates = new Gates(messages);
      t.after(() => {
        for (let i = 0; i < messages; i++) gates.open(i); // so that close() can drain, even after a failure
        return within(engine.close(), 'the engine to close');
      });
      assert.equal(engine.options.tasksPerThread, tasksPerThread);
      const records: EngineRecord[] = [];
      const done = (async () => {
        for await (const record of engine.process(Array.from({ length: messages }, (_, i) => gates.message(i)))) records.push(record);
      })();
      done.catch(() => {}); // awaited below, within a bound

      await gates.started(held);
      assert.equal(gates.startedCount, held, `${held} started; the rest wait for a slot`);
      // Message 0 stays held to the end. Each round opens the gate of one other
      // running message: that frees one slot, so exactly one more message starts.
      for (let started = held; started < messages; started++) {
        const running = Array.from({ length: messages }, (_, i) => i).filter((i) => i !== 0 && gates.tries(i) > 0 && !gates.isOpen(i));
        assert.equal(running.length, held - 1, `${held} running: message 0 and ${running.join(', ')}`);
        gates.open(running[0] as number);
        await gates.started(started + 1);
        assert.equal(gates.startedCount, started + 1, `one more started after gate ${String(running[0])} opened, no more`);
      }
      for (let i = 0; i < messages; i++) gates.open(i);
      await within(done, 'the run to end once every gate is open');
      assert.deepEqual(
        records.map((record) => (record.kind === 'output' ? record.value : record.kind)).sort((a, b) => Number(a) - Number(b)),
        Array.from({ length: messages }, (_, i) => i),
      );
      assert.equal(gates.startedCount, messages, 'each message started once');
    });
  }
});
