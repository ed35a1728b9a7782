import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { Completion, SerializedError } from '../src/protocol.js';
import { Doorbell } from '../src/ring.js';
import { RingClient } from '../src/ring-client.js';
import type { RingMessage } from '../src/ring-client.js';
import type { Order } from './fixtures/ring-echo.js';

// A RingClient against a real worker serving its rings (the serve loop the
// engine's workers run), with the echo transform. The test drains as the
// engine does: whenever the doorbell rings. Nothing waits for time: a held
// transform blocks on a shared word until the test releases it, and every
// wait is bounded (BOUND_MS, and each test's timeout).

const BOUND_MS = 10_000;
const timeout = 30_000;
/** Loads the fixtures' TypeScript in the worker (see the file). */
const PRELOAD = new URL('./fixtures/ring-tsx.mjs', import.meta.url).href;
const ECHO = new URL('./fixtures/ring-echo.ts', import.meta.url).href;

/** A client, the worker serving it, and every completion it reported (copied: the client recycles the object). */
class Harness {
  readonly bell = new Doorbell();
  readonly client: RingClient;
  readonly worker: Worker;
  readonly outcomes: Completion[] = [];
  /** Resolves with the worker's exit code. */
  readonly exited: Promise<number>;
  gone = false;
  /** The worker's thread id, once it serves (a Worker's own reads -1 once it exited). */
  threadId = -1;

  constructor(t: TestContext, slots: number, ringBytes: number) {
    this.client = new RingClient(slots, ringBytes, this.bell, (completion) => {
      this.outcomes.push({ ...completion });
      // Port results arrive outside the ring: wake the drain loop for them too.
      this.bell.ring();
    });
    const { request, transferList } = this.client.serveRequest(ECHO, 0);
    this.worker = new Worker(new URL('./fixtures/ring-server.ts', import.meta.url), {
      execArgv: ['--import', PRELOAD],
      workerData: request,
      transferList,
    });
    this.exited = once(this.worker, 'exit').then(([code]) => {
      this.gone = true;
      this.bell.ring();
      return code as number;
    });
    t.after(async () => {
      await this.worker.terminate();
      this.client.close();
    });
  }

  /** Resolves once the worker serves the rings; fails if it exits first. */
  async ready(): Promise<void> {
    await Promise.race([
      this.client.ready(),
      this.exited.then((code) => assert.fail(`the worker exited (code ${code}) before it served`)),
    ]);
    this.threadId = this.worker.threadId;
  }

  /** Drain whenever the bell rings until `count` completions are in. */
  async settle(count: number): Promise<void> {
    const deadline = performance.now() + BOUND_MS;
    while (this.outcomes.length < count) {
      if (this.client.drain() > 0) continue;
      if (this.gone) assert.fail(`the worker exited with ${this.outcomes.length} of ${count} completions in`);
      const left = deadline - performance.now();
      if (left <= 0) assert.fail(`${this.outcomes.length} of ${count} completions in ${BOUND_MS} ms`);
      await this.bell.sleep(() => this.client.hasOutput || this.outcomes.length >= count || this.gone, left);
    }
  }

  /** The one completion of `id`. */
  outcome(id: number): Completion {
    const found = this.outcomes.filter((outcome) => outcome.id === id);
    assert.equal(found.length, 1, `one completion of message ${id}`);
    return found[0] as Completion;
  }
}

function message(id: number, input: unknown, key?: string): RingMessage {
  return { id, input, offset: id * 10, key, eventTime: 1_000 + id, attempts: 1 + (id % 3) };
}

/** A try that ran in `harness`'s worker and succeeded with `values`. */
function assertDone(harness: Harness, outcome: Completion, values: unknown[]): void {
  assert.deepStrictEqual(
    { values: outcome.values, error: outcome.error, requeue: outcome.requeue, threadId: outcome.threadId },
    { values, error: undefined, requeue: false, threadId: harness.threadId },
  );
  assert.ok(outcome.startedAt > 0 && outcome.startedAt <= outcome.endedAt, `started ${outcome.startedAt}, ended ${outcome.endedAt}`);
}

test('messages come back as completions with their ids, outputs, thread and times, through many laps of a small ring', { timeout }, async (t) => {
  const slots = 4;
  const harness = new Harness(t, slots, 1024);
  const { client } = harness;
  await harness.ready();
  assert.equal(client.threadId, harness.threadId);
  const kinds: unknown[] = [
    21,
    -0,
    Number.NaN,
    'héllo ✓ 😀',
    '',
    true,
    null,
    undefined,
    Buffer.from('bytes'),
    new Uint8Array([1, 2, 3]),
    { nested: [1, { deeper: new Map([['at', new Date(5)]]) }] },
    { do: 'context' },
  ];
  const count = 2_000;
  const sent = new Map<number, RingMessage>();
  let next = 0;
  while (harness.outcomes.length < count) {
    while (client.room > 0 && next < count) {
      const sending = message(next, kinds[next % kinds.length], next % 3 === 0 ? undefined : `key ${next} ✓`);
      sent.set(next++, sending);
      client.send(sending);
      assert.equal(client.holding + client.room, slots);
    }
    if (client.room === 0) assert.throws(() => client.send(message(-1, 0)), /no free slot/);
    await harness.settle(harness.outcomes.length + 1);
  }
  for (const [id, { input, offset, key, eventTime, attempts }] of sent) {
    const expected = (input as Partial<Order> | null)?.do === 'context' ? { offset, key, eventTime, attempt: attempts } : input;
    assertDone(harness, harness.outcome(id), [expected]);
  }
  assert.equal(client.holding, 0);
  assert.equal(client.room, slots);

  client.stop();
  assert.equal(await harness.exited, 0, 'stop() ends the serve loop and the worker with it');
});

test('a transform that throws: a completion with its error as data', { timeout }, async (t) => {
  const harness = new Harness(t, 2, 1 << 16);
  await harness.ready();
  harness.client.send(message(7, { do: 'fail', message: 'bad input', code: 'E_FIXTURE' } satisfies Order));
  await harness.settle(1);
  const outcome = harness.outcome(7);
  const { name, code, message: text } = outcome.error as SerializedError;
  assert.deepStrictEqual({ name, code, message: text, values: outcome.values, requeue: outcome.requeue }, {
    name: 'RangeError',
    code: 'E_FIXTURE',
    message: 'bad input',
    values: undefined,
    requeue: false,
  });
  assert.match(outcome.error?.stack ?? '', /bad input/);
  assert.ok(outcome.startedAt > 0 && outcome.startedAt <= outcome.endedAt);
});

test('values and keys too large for the ring go by the port, both ways', { timeout }, async (t) => {
  // 256-byte rings: records of 56 bytes at most.
  const harness = new Harness(t, 4, 256);
  await harness.ready();
  const text = 'ω'.repeat(5_000);
  const bytes = Buffer.alloc(3_000, 7);
  const key = 'ключ'.repeat(40);
  harness.client.send(message(1, text));
  harness.client.send(message(2, bytes));
  harness.client.send(message(3, { do: 'context' } satisfies Order, key));
  harness.client.send(message(4, 'small'));
  await harness.settle(4);
  assertDone(harness, harness.outcome(1), [text]);
  assertDone(harness, harness.outcome(2), [bytes]);
  assert.ok(Buffer.isBuffer(harness.outcome(2).values?.[0]), 'a Buffer stays a Buffer');
  assertDone(harness, harness.outcome(3), [{ offset: 30, key, eventTime: 1_003, attempt: 1 }]);
  assertDone(harness, harness.outcome(4), ['small']);
});

test('what structured clone cannot send fails its try: an input in a microtask after send, an output from the worker', { timeout }, async (t) => {
  const harness = new Harness(t, 2, 1 << 16);
  const { client } = harness;
  await harness.ready();
  client.send(message(1, () => 1));
  assert.equal(harness.outcomes.length, 0, 'not reported from inside send');
  assert.equal(client.room, 2, 'its slot is free at once');
  await harness.settle(1);
  const input = harness.outcome(1);
  assert.equal(input.error?.name, 'DataCloneError');
  assert.deepStrictEqual(
    { values: input.values, requeue: input.requeue, startedAt: input.startedAt, endedAt: input.endedAt },
    { values: undefined, requeue: false, startedAt: 0, endedAt: 0 },
  );

  client.send(message(2, { do: 'function' } satisfies Order));
  await harness.settle(2);
  const output = harness.outcome(2);
  assert.equal(output.error?.name, 'DataCloneError');
  assert.equal(output.values, undefined);
  assert.ok(output.startedAt > 0 && output.startedAt <= output.endedAt, 'it ran');
});

test('fan-out: none, one or several outputs, in order', { timeout }, async (t) => {
  const harness = new Harness(t, 4, 1 << 16);
  await harness.ready();
  const fans = [[], ['one'], [1, 'two', { three: [3] }], [Buffer.from('a'), undefined, null]];
  fans.forEach((values, id) => harness.client.send(message(id, { do: 'fanOut', values } satisfies Order)));
  await harness.settle(fans.length);
  fans.forEach((values, id) => assertDone(harness, harness.outcome(id), values));
});

for (const blame of ['the message it had started', 'the culprit named']) {
  test(`running shows the message holding the thread; after the worker dies, orphan fails ${blame} and requeues the other`, { timeout }, async (t) => {
    const harness = new Harness(t, 4, 1 << 16);
    const { client } = harness;
    await harness.ready();
    const gate = new SharedArrayBuffer(8);
    const words = new Int32Array(gate);
    // Holds shared memory: the codec cannot encode it, so it goes by the port as is.
    client.send(message(1, { do: 'hold', gate } satisfies Order));
    const started = Atomics.waitAsync(words, 1, 0, BOUND_MS);
    if (started.async) assert.equal(await started.value, 'ok', 'the held transform started');
    assert.equal(client.running, 0, 'the first message took slot 0');
    assert.ok((client.startedAt(0) ?? 0) > 0);
    // The worker's thread is held: this one stays in the ring, never started.
    client.send(message(2, 'waits'));
    assert.equal(client.startedAt(1), undefined);
    assert.equal(client.holding, 2);

    await harness.worker.terminate();
    const death: SerializedError = { name: 'Error', code: 'E_DEATH', message: 'the worker died', stack: undefined };
    client.orphan(death, blame === 'the culprit named' ? new Set([1]) : undefined);
    const blamed = blame === 'the culprit named' ? 2 : 1;
    for (const id of [1, 2]) {
      const { values, error, requeue, threadId } = harness.outcome(id);
      assert.deepStrictEqual(
        { values, error, requeue, threadId },
        { values: undefined, error: id === blamed ? death : undefined, requeue: id !== blamed, threadId: harness.threadId },
        `message ${id}`,
      );
    }
    assert.ok(harness.outcome(1).startedAt > 0, 'the one that started keeps its start');
    assert.equal(harness.outcome(1).endedAt, 0, 'it never ended');
    assert.equal(harness.outcome(2).startedAt, 0, 'the other never started');
    assert.equal(client.holding, 0);
    assert.equal(client.room, 4);
  });
}
