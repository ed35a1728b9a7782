import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import type { EngineRecord } from '../src/index.js';
import { Gates, fixture } from './helpers/gates.js';
import { within } from './helpers/wait.js';

// When the in-flight target is above what the workers' slots hold
// (`threads * tasksPerThread < concurrency`), the ring transport keeps the
// rest waiting on the main thread; a freed slot goes to the oldest of them,
// not to the message the completion lets the scheduler send next. Otherwise
// a waiting message could wait as long as the source keeps giving (it did:
// with message 0 held, messages 2 and 3 started after 4-11).
//
// Ring-only: the order in which the task transport's queued messages start
// is piscina's task queue's (it moves a task it could not place to the back
// of its queue), not the engine's.

test('ring: messages waiting for a worker slot start in read order, before messages read after them', async (t) => {
  const messages = 12;
  const engine = new Engine({ transport: 'ring', transform: fixture('gated.js'), threads: 1, tasksPerThread: 2, concurrency: 4 });
  const gates = new Gates(messages);
  t.after(() => {
    for (let i = 0; i < messages; i++) gates.open(i); // so that close() can drain, even after a failure
    return within(engine.close(), 'the engine to close');
  });
  const records: EngineRecord[] = [];
  const done = (async () => {
    for await (const record of engine.process(Array.from({ length: messages }, (_, i) => gates.message(i)))) records.push(record);
  })();
  done.catch(() => {}); // awaited below, within a bound

  await gates.started(2);
  const startedNow = () => Array.from({ length: messages }, (_, i) => i).filter((i) => gates.tries(i) > 0);
  assert.deepEqual(startedNow(), [0, 1]);
  // Message 0 holds one slot throughout; the other goes to each next message in turn.
  for (let next = 2; next < messages; next++) {
    gates.open(next - 1);
    await gates.started(next + 1);
    assert.deepEqual(startedNow(), Array.from({ length: next + 1 }, (_, i) => i), `message ${next} took the freed slot`);
  }
  for (let i = 0; i < messages; i++) gates.open(i);
  await within(done, 'the run to end once every gate is open');
  assert.equal(records.length, messages);
});
