import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { EngineRecord } from '../src/index.js';
import { Gates, gatedEngine } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

// Batch mode closes a partial batch when the source has given nothing for
// `watermark.idleAfter` (0 here: as soon as the reader waits on it) and
// hands it over; the source's next message starts the next batch, read
// only once the closed one has been acked.

/** A source that gives `before`, stalls until `resume()`, then gives `after` and ends. */
function stallingSource(gates: Gates, before: readonly number[], after: readonly number[]) {
  const source = {
    stalled: false,
    /** Messages the source has given (handed to the engine's reader). */
    given: 0,
    resume: () => {},
    async *items() {
      for (const eventTime of before) yield { ...gates.message(source.given++), eventTime };
      await new Promise<void>((resolve) => {
        source.resume = resolve;
        source.stalled = true;
      });
      for (const eventTime of after) yield { ...gates.message(source.given++), eventTime };
    },
  };
  return source;
}

/** Batches of 4 on one thread, a partial batch closed as soon as the source stalls. */
const batchOfFour = { threads: 1, concurrency: 4, mode: 'batch', batchSize: 4, watermark: { idleAfter: 0 } } as const;

const offsetOf = (result: IteratorResult<EngineRecord>): number | undefined => (result.done === true ? undefined : result.value.offset);

forEachTransport((transport) => {
  test('a source that stalls mid-batch: the partial batch is closed and handed over, and the watermark advances once it is acked', async (t) => {
    const gates = new Gates(7);
    const engine = gatedEngine(t, transport, gates, { ...batchOfFour, watermark: { maxOutOfOrderness: 20, idleAfter: 0 } });
    // The engine's idle timer does not hold the process open (a real source's
    // I/O would); the bounded waits below do.
    const watermarks: number[] = [];
    engine.on('watermark', (value) => watermarks.push(value));
    const source = stallingSource(gates, [100, 90], [110, 140, 120, 150, 130]);
    const records = engine.process(source.items());
    const first = records.next();
    await gates.started(2);
    assert.equal(engine.stats?.read, 2);
    gates.open(1);
    gates.open(0);
    // Handed over while the source still gives nothing: the batch was closed at 2 of 4.
    assert.equal(offsetOf(await within(first, 'the partial batch')), 0);
    assert.equal(offsetOf(await within(records.next(), 'record 1')), 1);
    assert.equal(source.stalled, true);
    assert.equal(source.given, 2);
    // Message 1 is still in flight (the consumer holds its record): the
    // watermark is what it was read under (100 - 20), not the idle advance.
    assert.equal(engine.watermark, 80);
    const next = records.next(); // acks message 1: nothing in flight, idle advance to the largest event time
    await until(() => engine.watermark === 100, 'idle advance to 100', () => watermarks);
    assert.deepEqual(watermarks, [80, 100]);

    source.resume();
    await gates.started(6);
    // A full batch of 4 (2 to 5) is at the workers; 6 waits for its ack.
    assert.equal(engine.stats?.read, 6);
    for (let i = 2; i < 7; i++) gates.open(i);
    const offsets = [offsetOf(await within(next, 'record 2'))];
    for await (const record of records) offsets.push(record.offset);
    assert.deepEqual(offsets, [2, 3, 4, 5, 6]);
    assert.equal(engine.watermark, 130, 'the largest event time less the bound');
  });

  test('a message the source gives after the partial batch was closed waits for that batch to be acked', async (t) => {
    const gates = new Gates(4);
    const engine = gatedEngine(t, transport, gates, batchOfFour);
    for (let i = 0; i < 4; i++) gates.open(i);
    const source = stallingSource(gates, [1, 2], [3, 4]);
    const records = engine.process(source.items());
    // Record 0 is handed over while the source stalls: batch [0 1] was closed.
    assert.equal(offsetOf(await within(records.next(), 'record 0')), 0);
    assert.equal(source.stalled, true);
    source.resume();
    // The reader was already waiting on the source when the batch was closed,
    // so the source gives message 2 now; the consumer holds record 0 and has
    // not taken record 1, so batch [0 1] is not acked and 2 must wait.
    await until(() => source.given === 3, 'the source to give message 2');
    assert.equal(engine.stats?.read, 2, 'message 2 read before batch [0 1] was acked');
    assert.equal(engine.inFlight, 2);
    assert.equal(offsetOf(await within(records.next(), 'record 1')), 1);
    const rest: number[] = [];
    for await (const record of records) rest.push(record.offset);
    assert.deepEqual(rest, [2, 3]);
  });

  test('aborting after a partial batch was closed still hands over what was read, in order, and ends', async (t) => {
    const gates = new Gates(4);
    const engine = gatedEngine(t, transport, gates, batchOfFour);
    const source = stallingSource(gates, [1, 2, 3], [4]);
    const controller = new AbortController();
    const records = engine.process(source.items(), { signal: controller.signal });
    const first = records.next();
    await until(() => source.stalled, 'the source to stall after 3 messages');
    // The engine armed its idle timer when its reader began to wait on the
    // source; this one, with the same delay, is armed after it and fires after
    // it: batch [0 1 2] has been closed.
    await delay(0);
    source.resume();
    await until(() => source.given === 4, 'the source to give message 3');
    controller.abort();
    for (let i = 0; i < 4; i++) gates.open(i);
    const offsets = [offsetOf(await within(first, 'record 0'))];
    for (;;) {
      const offset = offsetOf(await within(records.next(), 'the next record or the end'));
      if (offset === undefined) break;
      offsets.push(offset);
    }
    // Message 3, which the source gave while batch [0 1 2] was in flight, is
    // not lost to the abort: it is handed over after that batch.
    assert.deepEqual(offsets, [0, 1, 2, 3]);
    assert.equal(engine.stats?.read, 4);
    assert.equal(engine.committedOffset, 4);
  });

  test('close() while the source has given a message that waits for the closed batch: it is handed over with the drain', async (t) => {
    const gates = new Gates(4);
    const engine = gatedEngine(t, transport, gates, batchOfFour);
    for (let i = 0; i < 4; i++) gates.open(i);
    const source = stallingSource(gates, [1, 2], [3, 4]);
    const records = engine.process(source.items());
    assert.equal(offsetOf(await within(records.next(), 'record 0')), 0);
    source.resume();
    // The consumer holds record 0, so batch [0 1] is not acked and message 2
    // waits for it outside the engine's buffers.
    await until(() => source.given === 3, 'the source to give message 2');
    const closing = engine.close();
    const rest: number[] = [];
    for (;;) {
      const offset = offsetOf(await within(records.next(), 'the next record or the end'));
      if (offset === undefined) break;
      rest.push(offset);
    }
    await within(closing, 'close() to end');
    assert.deepEqual(rest, [1, 2], 'message 2 was given by the source, so it is handed over');
    assert.equal(engine.stats?.read, 3);
    assert.equal(engine.committedOffset, 3);
  });
});
