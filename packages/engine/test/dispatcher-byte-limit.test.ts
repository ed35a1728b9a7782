import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SerializedError } from '@tidemark/workers';
import type { BufferLimit } from '../src/buffers/buffer-limit.js';
import { OutputBuffer } from '../src/buffers/output-buffer.js';
import { UnorderedRelease } from '../src/buffers/release-queue.js';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import { MessageTracker } from '../src/run/message-tracker.js';
import { HeldTransport } from './helpers/held-transport.js';
import { messageMaker } from './helpers/messages.js';

// The dispatch stage with a processing byte limit, over an in-memory
// transport and node:test's fake clock: retries wait in the input buffer
// in read order, and start only while the bytes at the transport are under
// the limit.

const failure: SerializedError = { name: 'RangeError', code: 'E_TRY', message: 'this try failed', stack: undefined };
const limit = (messages: number): BufferLimit => ({ messages, bytes: Number.POSITIVE_INFINITY, overflow: 'block' });

test('Dispatcher: a retry waiting for a slot starts only while the processing bytes are under their limit', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const transport = new HeldTransport();
  const tracker = new MessageTracker({ maxOutOfOrderness: 5, idleAfter: Number.POSITIVE_INFINITY });
  const output = new OutputBuffer(new UnorderedRelease(), limit(1000));
  const processing: BufferLimit = { messages: 2, bytes: 10, overflow: 'block' };
  const dispatcher = new Dispatcher(transport, tracker, output, { input: limit(10), processing }, { attempts: 3, initial: 10, max: 10 });
  await transport.start((completion) => {
    dispatcher.complete(completion, 1);
    dispatcher.pump();
  });
  const message = messageMaker();
  for (const [input, bytes] of [['small', 1], ['big', 20], ['a', 1], ['b', 1]] as const) {
    const state = message(input, { bytes });
    tracker.read(state);
    dispatcher.admit(state);
    tracker.queue(state, 0);
    dispatcher.pump();
  }
  // big started at 1 byte of 10 (a buffer under its byte limit takes one more).
  assert.deepEqual([transport.holding, dispatcher.runningBytes], [['small', 'big'], 21]);
  transport.complete('small', failure); // back at 10
  t.mock.timers.tick(5);
  transport.complete('big', failure); // back at 15
  assert.deepEqual([transport.holding, dispatcher.runningBytes], [['a', 'b'], 2]);
  t.mock.timers.tick(10);
  // Both are back with both slots taken, in read order: small ahead of big
  // (a retry waits in the input buffer behind the retries read before it).
  transport.complete('a');
  assert.deepEqual([transport.holding, dispatcher.runningBytes], [['b', 'small'], 2]);
  transport.complete('b');
  assert.deepEqual([transport.holding, dispatcher.runningBytes], [['small', 'big'], 21]);
  transport.complete('small');
  // big alone is over the limit: a message read now waits until it is back.
  const late = message('late', { bytes: 1 });
  tracker.read(late);
  dispatcher.admit(late);
  tracker.queue(late, 0);
  dispatcher.pump();
  assert.deepEqual([transport.holding, dispatcher.runningBytes], [['big'], 20], 'late waits: the processing bytes are over their limit');
  transport.complete('big');
  assert.deepEqual([transport.holding, dispatcher.runningBytes], [['late'], 1]);
});
