import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Engine, TransformError } from '../src/index.js';
import type { EngineRecord, MessageTrace } from '../src/index.js';
import { Gates, fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

// Ordered mode with retries: a message that fails a try and is retried
// keeps its place, so do the ones that fail every try (a failed record in
// their place), and nothing after a retrying message leaves before it
// settles. The test fixes the order in which messages settle: it opens one
// gate at a time and waits until that message has settled (every retry of
// an opened message passes its gate at once).

const ATTEMPTS = 3;

forEachTransport((transport) => {
  test('ordered mode with retries: records leave in read order, failed records in their place, whatever the order they settle in', async (t) => {
    const engine = new Engine({
      transport,
      transform: fixture('gated.js'),
      threads: 2,
      concurrency: 10,
      ordering: 'ordered',
      retry: { attempts: ATTEMPTS, backoff: { initial: 1, max: 1 } },
    });
    t.after(() => engine.close());
    await fc.assert(
      fc.asyncProperty(
        // Per message: tries that fail (ATTEMPTS or more: every try fails).
        fc.array(fc.integer({ min: 0, max: ATTEMPTS }), { minLength: 1, maxLength: 10 }).chain((failing) =>
          fc.tuple(fc.constant(failing), fc.shuffledSubarray([...failing.keys()], { minLength: failing.length, maxLength: failing.length })),
        ),
        async ([failing, order]) => {
          const n = failing.length;
          const gates = new Gates(n);
          const acks = new Map<number, MessageTrace>();
          const onAck = (trace: MessageTrace) => acks.set(trace.offset, trace);
          engine.on('ack', onAck);
          const received: EngineRecord[] = [];
          const consumed = (async () => {
            for await (const record of engine.process(failing.map((failUntil, i) => gates.message(i, { failUntil })))) received.push(record);
          })();
          try {
            await gates.started(n);
            const settled = new Set<number>();
            for (const index of order) {
              gates.open(index);
              const stage = () => engine.traces().find((trace) => trace.offset === index)?.stage;
              await until(() => stage() === 'completed' || stage() === 'failed' || acks.has(index), `message ${index} to settle`, () => ({
                traces: engine.traces().map((trace) => `${trace.offset}:${trace.stage}:${trace.attempts}`),
              }));
              settled.add(index);
              // The consumer takes every record it may: exactly those of the
              // settled messages with no unsettled message before them.
              let prefix = 0;
              while (settled.has(prefix)) prefix++;
              await until(() => received.length >= prefix, `records 0 to ${prefix - 1}`, () => received.map((r) => r.offset));
              assert.deepEqual(
                received.map((record) => record.offset),
                [...Array(prefix).keys()],
                `after message ${index} settled (settled: ${[...settled].join()})`,
              );
            }
            await within(consumed, 'the run to end');
            assert.equal(received.length, n);
            for (const [offset, record] of received.entries()) {
              const failUntil = failing[offset] as number;
              const tries = Math.min(failUntil + 1, ATTEMPTS);
              assert.equal(gates.tries(offset), tries, `tries of message ${offset}`);
              assert.equal(acks.get(offset)?.attempts, tries);
              if (failUntil < ATTEMPTS) {
                assert.equal(record.kind, 'output');
                assert.equal(record.kind === 'output' && record.value, offset);
              } else {
                assert.ok(record.kind === 'failed', `message ${offset} fails every try`);
                assert.equal(record.attempts, ATTEMPTS);
                assert.ok(record.error instanceof TransformError);
                assert.equal(record.error.errorName, 'RangeError');
                assert.equal(record.error.errorCode, 'E_GATED');
                assert.equal(record.error.message, `failing try ${ATTEMPTS}`);
                assert.deepEqual(record.input, gates.message(offset, { failUntil }).value);
              }
            }
            assert.equal(engine.stats?.retried, failing.reduce((sum, f) => sum + Math.min(f, ATTEMPTS - 1), 0));
            assert.equal(engine.stats?.failed, failing.filter((f) => f >= ATTEMPTS).length);
          } finally {
            engine.off('ack', onAck);
            for (let i = 0; i < n; i++) gates.open(i);
            // After a failed check, let this run end before the next one starts.
            await within(consumed, 'the run to end').catch(() => {});
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
