import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import type { EngineOptions, SourceRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import type { TestTransport } from './helpers/transports.js';
import { within } from './helpers/wait.js';

// Four low-priority messages (0) wait in a full input buffer while
// high-priority ones (1) keep arriving, one for each that leaves: the
// source goes on until every low message was acked, or until `cap` high
// ones. One message runs at a time, and the reader refills the buffer
// before the next slot frees, so the buffer always holds high messages.
// With aging at 1 ms per level, a low message ranks above any high one read
// more than 1 ms after it, so every low message completes while the source
// is still going. Without aging (the control) none does until the source
// ends: starvation, which aging is there to prevent.

const lows = 4;
// Under the reader's 1,024 items a turn (source-reader.ts): at that item it
// lets the event loop turn, and in that turn the worker may take every high
// message in the buffer, so that a low one runs without aging. A CI run saw
// it (1,020 highs read, 1,025 items). The whole source stays in one stretch.
const cap = 1000;

/** The `p` on each message's value: its priority. */
const priority = (record: SourceRecord): number => (record.value as { p: number }).p;

async function run(transport: TestTransport, priorityAging: number): Promise<{ acks: number[]; highsRead: number; lowsAtEnd: number }> {
  const options: EngineOptions = {
    transport,
    transform: fixture('echo.js'),
    threads: 1,
    concurrency: 1,
    priority,
    priorityAging,
    buffers: { input: { messages: 32 }, output: { messages: 1 } },
  };
  const engine = new Engine(options);
  try {
    /** Priorities in ack order. */
    const acks: number[] = [];
    engine.on('ack', (trace) => acks.push(trace.priority as number));
    const lowsAcked = () => acks.filter((p) => p === 0).length;
    let highsRead = 0;
    let lowsAtEnd = -1;
    function* source(): Generator<SourceRecord> {
      yield { value: { p: 1 } };
      highsRead++;
      for (let i = 0; i < lows; i++) yield { value: { p: 0 } };
      while (lowsAcked() < lows && highsRead < cap) {
        highsRead++;
        yield { value: { p: 1 } };
      }
      lowsAtEnd = lowsAcked();
    }
    const consumed = (async () => {
      for await (const record of engine.process(source())) void record;
    })();
    await within(consumed, `the run (${acks.length} acked so far)`);
    return { acks, highsRead, lowsAtEnd };
  } finally {
    await within(engine.close(), 'the engine to close');
  }
}

forEachTransport((transport) => {
  test('priority with aging: every low-priority message completes while high-priority ones keep coming', async () => {
    const { acks, highsRead, lowsAtEnd } = await run(transport, 1);
    assert.equal(lowsAtEnd, lows, 'the source ended because every low message was acked');
    assert.ok(highsRead < cap, `before the cap of high messages (${highsRead} read)`);
    assert.ok(acks.indexOf(0) > 1, 'high messages read in the same stretch as the low ones went first');
    assert.equal(acks.length, highsRead + lows);
  });

  test('priority without aging (the control): low-priority messages wait until the high ones stop coming', async () => {
    // Infinity: no aging.
    const { acks, highsRead, lowsAtEnd } = await run(transport, Number.POSITIVE_INFINITY);
    assert.equal(highsRead, cap, 'the source went on to its cap');
    assert.equal(lowsAtEnd, 0, 'no low message ran while high ones kept coming');
    assert.deepEqual(acks.slice(-lows), [0, 0, 0, 0], 'they ran after the last high one was served');
  });
});
