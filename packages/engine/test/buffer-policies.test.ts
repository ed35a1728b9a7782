import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BufferFullError, Engine } from '../src/index.js';
import type { EngineRecord, MessageTrace, OverflowPolicy } from '../src/index.js';
import { Gates, fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';

// The buffer overflow policies against a model: a few lines of list logic
// that say, for a given configuration, what becomes of every message
// (output, dropped, or rejected as a failed record). The engine runs the
// same configuration with its completions fixed by gates, so the run is
// deterministic, and must agree with the model message for message.

type Fate = 'output' | 'dropped' | 'rejected';

interface Limit {
  readonly messages: number;
  readonly bytes: number;
  readonly overflow: OverflowPolicy;
}

const isFull = (count: number, bytes: number, limit: Limit) => count >= limit.messages || bytes >= limit.bytes;

/**
 * Every message is read before any completes (all are held at their gates):
 * the first ones fill the processing buffer, then the input buffer's policy
 * (and the processing buffer's, when it sheds) decides. Under `block` the
 * reader stops at a full input buffer and everything is processed later.
 */
function inputModel(sizes: readonly number[], input: Limit, processing: Limit): { fates: Fate[]; readAll: boolean } {
  const fates: Fate[] = sizes.map(() => 'output');
  let running = 0;
  let runningBytes = 0;
  const waiting: number[] = [];
  let waitingBytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i] as number;
    const processingFull = isFull(running, runningBytes, processing);
    if (processing.overflow !== 'block' && processingFull) {
      fates[i] = processing.overflow === 'reject' ? 'rejected' : 'dropped';
      continue;
    }
    if (!processingFull && waiting.length === 0) {
      running++;
      runningBytes += size;
      continue;
    }
    if (isFull(waiting.length, waitingBytes, input)) {
      if (input.overflow === 'block') return { fates, readAll: false }; // the reader waits; the rest is processed in time
      if (input.overflow === 'drop-newest' || input.overflow === 'reject') {
        fates[i] = input.overflow === 'reject' ? 'rejected' : 'dropped';
        continue;
      }
      while (waiting.length > 0 && isFull(waiting.length, waitingBytes, input)) {
        const oldest = waiting.shift() as number;
        waitingBytes -= sizes[oldest] as number;
        fates[oldest] = 'dropped';
      }
    }
    waiting.push(i);
    waitingBytes += size;
  }
  // The reader asks the source for more (and finds its end) only if the
  // input buffer still has room, or does not block.
  return { fates, readAll: input.overflow !== 'block' || !isFull(waiting.length, waitingBytes, input) };
}

/**
 * One message at a time (one thread, concurrency 1), so messages settle in
 * read order; the consumer has taken message 0 and takes nothing more until
 * all have settled. `sizes[i]` is the size of message i's outputs.
 */
function outputModel(sizes: readonly number[], output: Limit): Fate[] {
  const fates: Fate[] = sizes.map(() => 'output');
  const waiting: { index: number; bytes: number }[] = [];
  let bytes = 0;
  for (let i = 1; i < sizes.length; i++) {
    let size = sizes[i] as number;
    if (isFull(waiting.length, bytes, output)) {
      if (output.overflow === 'drop-newest') {
        fates[i] = 'dropped';
        continue;
      }
      if (output.overflow === 'reject') {
        fates[i] = 'rejected';
        size = 0; // its outputs are let go; the failed record waits in their place
      } else {
        while (waiting.length > 0 && isFull(waiting.length, bytes, output)) {
          const oldest = waiting.shift() as { index: number; bytes: number };
          bytes -= oldest.bytes;
          fates[oldest.index] = 'dropped';
        }
      }
    }
    waiting.push({ index: i, bytes: size });
    bytes += size;
  }
  return fates;
}

/** How the `ack` event reports each fate: the trace's outcome and the stage it ended in. */
const acked: Record<Fate, Pick<MessageTrace, 'outcome' | 'stage'>> = {
  output: { outcome: 'completed', stage: 'acked' },
  dropped: { outcome: 'dropped', stage: 'dropped' },
  rejected: { outcome: 'rejected', stage: 'failed' },
};

/**
 * What became of each offset, from the records and the `ack` events (the
 * dropped ones are only there); each must appear once, and be acked once
 * with the outcome its fate says.
 */
function fatesOf(count: number, records: readonly EngineRecord[], acks: readonly MessageTrace[]): Fate[] {
  const fates: (Fate | undefined)[] = new Array<Fate | undefined>(count).fill(undefined);
  const set = (offset: number, fate: Fate) => {
    assert.equal(fates[offset], undefined, `offset ${offset} accounted for twice`);
    fates[offset] = fate;
  };
  for (const record of records) {
    if (record.kind === 'output') set(record.offset, 'output');
    else {
      assert.ok(record.error instanceof BufferFullError, `offset ${record.offset}: ${record.error.message}`);
      assert.equal(record.error.code, 'ERR_TIDEMARK_BUFFER_FULL');
      set(record.offset, 'rejected');
    }
  }
  for (const trace of acks) if (trace.stage === 'dropped') set(trace.offset, 'dropped');
  assert.ok(fates.every((fate) => fate !== undefined), 'every offset accounted for');
  assert.deepEqual(
    acks.map((trace) => trace.offset).sort((a, b) => a - b),
    fates.map((_, offset) => offset),
    'every offset acked once',
  );
  for (const trace of acks) {
    const fate = fates[trace.offset] as Fate;
    assert.deepEqual({ outcome: trace.outcome, stage: trace.stage }, acked[fate], `offset ${trace.offset} (${fate}): the ack event's outcome`);
  }
  return fates;
}

const limitArb = (policies: readonly OverflowPolicy[], maxMessages: number) =>
  fc.record({
    messages: fc.integer({ min: 1, max: maxMessages }),
    bytes: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 40 })),
    overflow: fc.constantFrom(...policies),
  });

forEachTransport((transport) => {
  test('input and processing policies: every message meets the fate the model gives it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          sizes: fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 24 }),
          input: limitArb(['block', 'drop-oldest', 'drop-newest', 'reject'], 5),
          processing: limitArb(['block', 'drop-newest', 'reject'], 4),
          ordering: fc.constantFrom('unordered' as const, 'ordered' as const),
        }),
        async ({ sizes, input, processing, ordering }) => {
          const { fates: expected, readAll } = inputModel(sizes, input, processing);
          const gates = new Gates(sizes.length);
          const engine = new Engine({
            transport,
            transform: fixture('gated.js'),
            threads: 2,
            concurrency: processing.messages,
            ordering,
            // An output buffer larger than the source: the in-flight bound
            // never stops the reader while the ordered queue waits on a gate.
            buffers: { input, processing, output: { messages: 32 } },
          });
          try {
            const drops: MessageTrace[] = [];
            const acks: MessageTrace[] = [];
            engine.on('ack', (trace) => {
              acks.push(trace);
              if (trace.stage === 'dropped') drops.push(trace);
            });
            let markAllRead!: () => void;
            const allRead = new Promise<void>((resolve) => {
              markAllRead = resolve;
            });
            function* source() {
              for (let i = 0; i < sizes.length; i++) yield { ...gates.message(i), bytes: sizes[i] as number };
              markAllRead();
            }
            const records: EngineRecord[] = [];
            const consumed = (async () => {
              for await (const record of engine.process(source())) records.push(record);
            })();
            // Under block the reader waits for room; otherwise it reads it all
            // before anything completes: the drops so far are already final.
            if (readAll) {
              await allRead;
              assert.deepEqual(
                drops.map((trace) => trace.offset).sort((a, b) => a - b),
                expected.flatMap((fate, offset) => (fate === 'dropped' ? [offset] : [])),
                'dropped while the workers were held',
              );
            }
            for (let i = 0; i < sizes.length; i++) gates.open(i);
            await consumed;
            assert.deepEqual(fatesOf(sizes.length, records, acks), expected);
            for (const trace of drops) {
              assert.equal(trace.overflow?.policy, trace.overflow?.buffer === 'input' ? input.overflow : processing.overflow);
              assert.equal(trace.ackedAt > 0, true);
            }
            assert.equal(engine.stats?.dropped, drops.length);
            assert.equal(engine.committedOffset, sizes.length, 'all acked: dropped ones count as done');
            if (ordering === 'ordered') {
              const offsets = records.map((record) => record.offset);
              assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), 'ordered, dropped ones skipped');
            }
          } finally {
            for (let i = 0; i < sizes.length; i++) gates.open(i);
            await engine.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  test('output policies: with a consumer that stops, every message meets the fate the model gives it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          outs: fc.array(fc.string({ maxLength: 10 }), { minLength: 1, maxLength: 16 }),
          output: limitArb(['drop-oldest', 'drop-newest', 'reject'], 5),
          ordering: fc.constantFrom('unordered' as const, 'ordered' as const),
        }),
        async ({ outs, output, ordering }) => {
          // The size of one message's outputs, as the engine weighs `[out]`:
          // 8 per value and the UTF-8 bytes of the string.
          const expected = outputModel(
            outs.map((out) => 8 + Buffer.byteLength(out)),
            output,
          );
          const count = outs.length;
          const gates = new Gates(count + 1);
          gates.open(0);
          const engine = new Engine({
            transport,
            transform: fixture('gated.js'),
            threads: 1,
            concurrency: 1,
            ordering,
            // A large input buffer: the in-flight bound never stops the reader here.
            buffers: { input: { messages: count + 1 }, output },
          });
          try {
            const drops: MessageTrace[] = [];
            const acks: MessageTrace[] = [];
            engine.on('ack', (trace) => {
              acks.push(trace);
              if (trace.stage === 'dropped') drops.push(trace);
            });
            // One more message, held at its gate: once it has started, all
            // the others have settled (one at a time, in read order).
            const source = [...outs.map((out, i) => gates.message(i, { out })), gates.message(count)];
            const records = engine.process(source);
            const first = await records.next(); // message 0, taken before message 1 can complete
            for (let i = 1; i < count; i++) gates.open(i);
            await gates.started(count + 1);
            assert.deepEqual(
              drops.map((trace) => trace.offset),
              expected.flatMap((fate, offset) => (fate === 'dropped' ? [offset] : [])),
              'dropped, oldest first, while the consumer waited',
            );
            const taken: EngineRecord[] = [first.value as EngineRecord];
            gates.open(count);
            for await (const record of records) taken.push(record);
            const last = taken.find((record) => record.offset === count);
            const lastDropped = drops.some((trace) => trace.offset === count);
            assert.ok((last !== undefined) !== lastDropped, 'the held message is accounted for once');
            const fates = fatesOf(
              count,
              taken.filter((record) => record.offset !== count),
              acks.filter((trace) => trace.offset !== count),
            );
            assert.deepEqual(fates, expected);
            for (const record of taken) {
              if (record.kind === 'output' && record.offset < count) assert.equal(record.value, outs[record.offset]);
            }
          } finally {
            for (let i = 0; i <= count; i++) gates.open(i);
            await engine.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
