import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { AckedBytes } from '../src/cli/run/acked-bytes.js';
import { ndjsonLines } from '../src/io/ndjson-lines.js';
import { ndjsonSource } from '../src/io/ndjson-source.js';

// Where each NDJSON line lies in its input (the bytes `tidemark run`'s
// progress counts as done), against the text cut by hand, over any chunking,
// with and without `from`; and AckedBytes, which turns those positions and
// the acks into the bytes done.

const chunked = (bytes: Buffer, cuts: readonly number[]): Buffer[] => {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = cuts[i % cuts.length] as number;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
};

test('ndjsonLines: each line spans its bytes from the stream start to past its newline, `from` skipping included', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }).map((line) => line.replace(/[\r\n]/g, '')), { maxLength: 15 }),
      fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 0, max: 16 }),
      fc.integer({ min: 1, max: 40 }),
      async (lines, trailing, cuts, from, max) => {
        const text = lines.join('\n') + (trailing && lines.length > 0 ? '\n' : '');
        const bytes = Buffer.from(text);
        // The spans by hand: each line from the end of the one before.
        const spans: { start: number; end: number }[] = [];
        let start = 0;
        for (const [index, line] of text.split('\n').entries()) {
          const end = Math.min(bytes.length, start + Buffer.byteLength(line) + 1);
          if (start < bytes.length) spans.push({ start, end });
          start = end;
          if (index === lines.length) break;
        }
        const got = [];
        for await (const line of ndjsonLines(Readable.from(chunked(bytes, cuts)), max, from)) got.push(line);
        assert.deepEqual(
          got.map(({ index, start: s, end }) => ({ index, start: s, end })),
          spans.slice(from).map((span, i) => ({ index: from + i, ...span })),
        );
      },
    ),
    { numRuns: 300 },
  );
});

test('ndjsonLines with `from` says once how many lines it skipped and where the next starts, also when the input ends first', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.string({ maxLength: 8 }).map((line) => line.replace(/[\r\n]/g, '')), { maxLength: 12 }),
      fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 16 }),
      async (lines, trailing, cuts, from) => {
        const text = lines.join('\n') + (trailing && lines.length > 0 ? '\n' : '');
        const bytes = Buffer.from(text);
        // Lines in the text (a last one without its newline counts) and where each starts.
        const starts: number[] = [];
        for (let at = 0; at < bytes.length; at = bytes.indexOf(0x0a, at) === -1 ? bytes.length : bytes.indexOf(0x0a, at) + 1) starts.push(at);
        const told: [number, number][] = [];
        for await (const line of ndjsonLines(Readable.from(chunked(bytes, cuts)), 100, from, (count, end) => told.push([count, end]))) void line;
        const skipped = Math.min(from, starts.length);
        assert.deepEqual(told, [[skipped, starts[skipped] ?? bytes.length]]);
      },
    ),
    { numRuns: 300 },
  );
});

test('ndjsonSource tells its positions each record line start before yielding it, and every line end it passes', async () => {
  const text = '{"value":1}\n\n{"value":22}\r\nnot json\n   \n{"value":3}';
  const calls: string[] = [];
  const positions = { record: (offset: number, start: number) => calls.push(`record ${offset} @${start}`), passed: (end: number) => calls.push(`passed ${end}`) };
  for await (const record of ndjsonSource(Readable.from(chunked(Buffer.from(text), [5])), { positions })) calls.push(`yield ${record.offset}`);
  assert.deepEqual(calls, [
    'record 0 @0',
    'passed 12',
    'yield 0',
    'passed 13', // the blank line: no record
    'record 2 @13',
    'passed 27',
    'yield 2',
    'record 3 @27',
    'passed 36',
    'yield 3', // a malformed line is a record too (a failed one)
    'passed 40',
    'record 5 @40',
    'passed 51',
    'yield 5',
  ]);
});

test('AckedBytes: done up to the first line in flight, or to the last line passed when none is', () => {
  const acked = new AckedBytes();
  assert.equal(acked.done, 0);
  acked.record(0, 0);
  acked.passed(10);
  acked.record(1, 10);
  acked.passed(20);
  acked.passed(21); // a blank line
  acked.record(3, 21);
  acked.passed(30);
  assert.equal(acked.done, 0, 'offset 0 is in flight');
  acked.acked(1);
  acked.acked(3);
  assert.equal(acked.done, 0, 'the later lines acked first do not count');
  acked.acked(0);
  assert.equal(acked.done, 30, 'all acked: up to the last line passed');
  acked.record(4, 30);
  acked.passed(40);
  acked.record(5, 40);
  acked.passed(50);
  acked.acked(4);
  assert.equal(acked.done, 40, 'up to the start of offset 5');
});
