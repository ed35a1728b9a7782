import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import fc from 'fast-check';
import type { SerializedError } from '@tidemark/workers';
import type { BufferLimit } from '../src/buffers/buffer-limit.js';
import { OutputBuffer } from '../src/buffers/output-buffer.js';
import { UnorderedRelease } from '../src/buffers/release-queue.js';
import { Dispatcher } from '../src/dispatch/dispatcher.js';
import { backoff } from '../src/dispatch/retry-policy.js';
import type { RetryPolicy } from '../src/dispatch/retry-policy.js';
import { TransformError } from '../src/errors.js';
import { resolveOptions } from '../src/options/resolve-options.js';
import type { MessageState } from '../src/run/message-state.js';
import { MessageTracker } from '../src/run/message-tracker.js';
import { Intake } from '../src/source/intake.js';
import { MessageIds } from '../src/run/message-ids.js';
import { fixture } from './helpers/gates.js';
import { HeldTransport } from './helpers/held-transport.js';

// The retry backoff: `backoff()` as values, and the Dispatcher's timers driven
// by node:test's fake clock over an in-memory transport. Not a transport
// behaviour (the backoff lives on the main thread, before any transport), so
// it runs over no real transport.

test('backoff(): initial, then doubling each try, capped at max', () => {
  const rows: { policy: RetryPolicy; delays: number[] }[] = [
    // The defaults the engine resolves (checked below): 10 ms doubling, capped at 1 s.
    { policy: { attempts: 10, initial: 10, max: 1000 }, delays: [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000] },
    // A cap that is not a power-of-two multiple of initial is met exactly.
    { policy: { attempts: 7, initial: 3, max: 50 }, delays: [3, 6, 12, 24, 48, 50, 50] },
    { policy: { attempts: 3, initial: 25, max: 25 }, delays: [25, 25, 25] },
    { policy: { attempts: 3, initial: 0, max: 0 }, delays: [0, 0, 0] },
    { policy: { attempts: 4, initial: 0, max: 100 }, delays: [0, 0, 0, 0] },
  ];
  for (const { policy, delays } of rows) {
    assert.deepEqual(
      delays.map((_, i) => backoff(policy, i + 1)),
      delays,
      `backoff after tries 1..${delays.length} with initial ${policy.initial}, max ${policy.max}`,
    );
  }
  assert.equal(backoff({ attempts: 100, initial: 10, max: 1000 }, 60), 1000, 'far past the cap it stays at max');
  assert.deepEqual(resolveOptions({ transform: fixture('echo.js') }).retry, { attempts: 3, initial: 10, max: 1000 });
  assert.deepEqual(resolveOptions({ transform: fixture('echo.js'), retry: { backoff: { initial: 2000 } } }).retry, {
    attempts: 3,
    initial: 2000,
    max: 2000,
  });
});

test('backoff(): against a model that doubles the previous delay until the cap', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 100_000 }), (initial, extra) => {
      const policy = { attempts: 40, initial, max: initial + extra };
      let model = initial;
      for (let attempt = 1; attempt <= 40; attempt++) {
        assert.equal(backoff(policy, attempt), Math.min(policy.max, model), `try ${attempt}`);
        model *= 2;
      }
    }),
    { numRuns: 300 },
  );
});

const failure: SerializedError = { name: 'RangeError', code: 'E_TRY', message: 'this try failed', stack: undefined };
const limit = (messages: number): BufferLimit => ({ messages, bytes: Number.POSITIVE_INFINITY, overflow: 'block' });

function setUp(t: TestContext, retry: RetryPolicy, concurrency: number) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const transport = new HeldTransport();
  const settled: MessageState[] = [];
  const tracker = new MessageTracker({ maxOutOfOrderness: 5, idleAfter: Number.POSITIVE_INFINITY });
  const output = new OutputBuffer(new UnorderedRelease(), limit(1000));
  const scheduler = new Dispatcher(transport, tracker, output, { input: limit(8), processing: limit(concurrency) }, retry);
  void transport.start((completion) => {
    const state = scheduler.complete(completion, 1);
    if (state !== undefined) settled.push(state);
    scheduler.pump();
  });
  const intake = new Intake(false, new MessageIds());
  /** A message read from the source, as a run reads it. */
  const message = (value: string) => {
    const state = intake.take({ value }, -1);
    tracker.read(state);
    return state;
  };
  /** Give `state` to the dispatcher, as a run does. */
  const push = (state: MessageState) => {
    assert.equal(scheduler.admit(state), undefined, 'nothing shed');
    tracker.queue(state, 0);
    scheduler.pump();
  };
  /** The input buffer's messages by input, front first (taken out and put back in order). */
  const waiting = () => {
    const states: unknown[] = [];
    const taken: MessageState[] = [];
    for (let state = scheduler.input.shift(); state !== undefined; state = scheduler.input.shift()) taken.push(state);
    for (const state of taken.reverse()) scheduler.input.unshift(state);
    for (const state of taken.reverse()) states.push(state.input);
    return states;
  };
  return { transport, settled, scheduler, tracker, message, push, waiting };
}

test('a failed try waits out its backoff off both buffers, then goes back ahead of everything waiting', (t) => {
  const { transport, settled, scheduler, tracker, message, push, waiting } = setUp(t, { attempts: 3, initial: 10, max: 1000 }, 1);
  const a = message('a');
  for (const state of [a, message('b'), message('c')]) push(state);
  assert.deepEqual(transport.holding, ['a']);
  assert.deepEqual(waiting(), ['b', 'c']);

  transport.complete('a', failure);
  // Its slot went to the next message at once; `a` is in neither buffer.
  assert.equal(a.stage, 'retrying');
  assert.deepEqual(transport.holding, ['b']);
  assert.equal(scheduler.running, 1);
  assert.deepEqual(waiting(), ['c']);
  assert.equal(scheduler.backingOff, 1);
  assert.equal(tracker.stats.retried, 1);

  t.mock.timers.tick(9);
  assert.equal(scheduler.backingOff, 1, 'not back 1 ms before the backoff ends');
  assert.deepEqual(waiting(), ['c']);
  t.mock.timers.tick(1);
  assert.equal(scheduler.backingOff, 0);
  assert.equal(a.stage, 'queued');
  // The processing buffer is full: it waits at the head of the dispatch queue, ahead of c in the input buffer.
  assert.deepEqual(waiting(), ['c']);
  assert.deepEqual(transport.holding, ['b']);

  transport.complete('b');
  assert.deepEqual(transport.holding, ['a'], 'the retry takes the freed slot before c');
  assert.equal(a.attempts, 2);
  transport.complete('a');
  transport.complete('c');
  assert.deepEqual(transport.sent, ['a', 'b', 'a', 'c']);
  assert.deepEqual(
    settled.map((state) => [state.input, state.stage, state.attempts]),
    [
      ['b', 'completed', 1],
      ['a', 'completed', 2],
      ['c', 'completed', 1],
    ],
  );
});

test('the delays between tries are initial, 2x, 4x... capped at max; after the last try the message fails', (t) => {
  const attempts = 7;
  const { transport, settled, scheduler, tracker, message, push } = setUp(t, { attempts, initial: 10, max: 50 }, 1);
  const expected = [10, 20, 40, 50, 50, 50];
  const state = message('x');
  push(state);
  for (let attempt = 1; attempt < attempts; attempt++) {
    const delay = expected[attempt - 1] as number;
    assert.equal(state.attempts, attempt);
    transport.complete('x', failure);
    assert.deepEqual([scheduler.running, scheduler.input.size, scheduler.backingOff], [0, 0, 1], `backing off after try ${attempt}`);
    t.mock.timers.tick(delay - 1);
    assert.equal(transport.sent.length, attempt, `try ${attempt + 1} not sent ${delay - 1} ms after try ${attempt} failed`);
    t.mock.timers.tick(1);
    assert.equal(transport.sent.length, attempt + 1, `try ${attempt + 1} sent ${delay} ms after try ${attempt} failed`);
    assert.equal(state.stage, 'dispatched');
  }
  assert.equal(tracker.stats.retried, attempts - 1);
  transport.complete('x', failure);
  assert.equal(scheduler.backingOff, 0, 'no backoff after the last try');
  assert.deepEqual(settled, [state]);
  assert.equal(state.stage, 'failed');
  assert.equal(state.attempts, attempts);
  assert.ok(state.error instanceof TransformError);
  assert.equal(state.error.errorCode, 'E_TRY');
  t.mock.timers.tick(10_000);
  assert.equal(transport.sent.length, attempts, 'nothing more is sent');
});

test('backoffs of different messages run side by side, each on its own count of tries', (t) => {
  const { transport, scheduler, message, push, waiting } = setUp(t, { attempts: 5, initial: 10, max: 1000 }, 2);
  const a = message('a');
  const b = message('b');
  push(a);
  push(b);
  transport.complete('a', failure); // a: back at 10
  t.mock.timers.tick(10);
  transport.complete('b', failure); // b: back at 10 + 10 = 20
  transport.complete('a', failure); // a, second failure: back at 10 + 20 = 30
  assert.equal(scheduler.backingOff, 2);
  t.mock.timers.tick(9);
  assert.deepEqual(transport.holding, []);
  t.mock.timers.tick(1);
  assert.deepEqual(transport.holding, ['b']);
  t.mock.timers.tick(9);
  assert.deepEqual(transport.holding, ['b']);
  t.mock.timers.tick(1);
  assert.deepEqual(transport.holding, ['b', 'a']);
  assert.deepEqual([a.attempts, b.attempts], [3, 2]);
  assert.deepEqual(waiting(), []);
});
