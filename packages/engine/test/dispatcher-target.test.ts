import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BufferLimit } from '../src/buffers/buffer-limit.js';
import { OutputBuffer } from '../src/buffers/output-buffer.js';
import { UnorderedRelease } from '../src/buffers/release-queue.js';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import { MessageTracker } from '../src/run/message-tracker.js';
import { HeldTransport } from './helpers/held-transport.js';
import { messageMaker } from './helpers/messages.js';

// The in-flight target below the processing buffer's limit (the adaptive
// controller holds it there, at `min` while it probes): messages beyond
// the target wait for a slot, and the processing buffer's drop-newest or
// reject sheds only at its own limit, never because the target is lower.

const limit = (messages: number): BufferLimit => ({ messages, bytes: Number.POSITIVE_INFINITY, overflow: 'block' });

for (const overflow of ['drop-newest', 'reject'] as const) {
  test(`Dispatcher: with the target at 1 of a processing limit of 4 (${overflow}), 4 messages wait, the 5th at the limit is shed`, async () => {
    const transport = new HeldTransport();
    const tracker = new MessageTracker({ maxOutOfOrderness: 0, idleAfter: Number.POSITIVE_INFINITY });
    const output = new OutputBuffer(new UnorderedRelease(), limit(1000));
    const processing: BufferLimit = { messages: 4, bytes: Number.POSITIVE_INFINITY, overflow };
    const dispatcher = new Dispatcher(transport, tracker, output, { input: limit(100), processing }, { attempts: 1, initial: 0, max: 0 });
    await transport.start((completion) => {
      dispatcher.complete(completion, 1);
      dispatcher.pump();
    });
    dispatcher.concurrency = 1;
    const message = messageMaker();
    const shed: string[] = [];
    const admit = (name: string) => {
      const state = message(name);
      tracker.read(state);
      const outcome = dispatcher.admit(state);
      if (outcome !== undefined) shed.push(...outcome.dropped.map((s) => String(s.input)), ...(outcome.rejected === undefined ? [] : [String(outcome.rejected.input)]));
      else tracker.queue(state, 0);
      dispatcher.pump();
    };
    for (const name of ['a', 'b', 'c', 'd']) admit(name);
    assert.deepEqual(transport.holding, ['a'], 'one at the transport: the target');
    assert.deepEqual(shed, [], 'below the processing limit nothing is shed');
    dispatcher.concurrency = 4;
    assert.deepEqual(transport.holding, ['a', 'b', 'c', 'd'], 'raising the target starts the waiting ones at once');
    admit('e');
    assert.deepEqual(shed, ['e'], 'at the limit the arriving message is shed');
  });
}
