import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { ndjsonLines } from '../src/io/ndjson-lines.js';

// The line splitter against String.split, over any chunking of the bytes
// (multi-byte characters cut across chunks included) and any line limit.
test('ndjsonLines splits like split("\\n") whatever the chunks, and reports lines over the limit by length', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.string({ unit: 'grapheme', maxLength: 30 }).map((line) => line.replace(/[\r\n]/g, '')), { maxLength: 20 }),
      fc.boolean(),
      fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
      fc.integer({ min: 1, max: 60 }),
      async (lines, crlf, trailing, cuts, max) => {
        const text = lines.join(crlf ? '\r\n' : '\n') + (trailing && lines.length > 0 ? '\n' : '');
        const bytes = Buffer.from(text);
        const chunks: Buffer[] = [];
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const size = cuts[i % cuts.length] as number;
          chunks.push(bytes.subarray(at, at + size));
          at += size;
        }
        const got = [];
        for await (const line of ndjsonLines(Readable.from(chunks), max)) got.push(line);
        const expected = text === '' ? [] : text.split('\n');
        if (expected.at(-1) === '') expected.pop();
        assert.equal(got.length, expected.length);
        got.forEach((line, index) => {
          const want = (expected[index] as string).replace(/\r$/, '');
          const size = Buffer.byteLength(want);
          assert.equal(line.index, index);
          assert.equal(line.bytes, size);
          if (size > max) {
            assert.equal(line.tooLarge, true);
            assert.ok(want.startsWith(line.head.replace(/\uFFFD$/, '')), 'the head is the start of the line');
          } else {
            assert.equal(line.tooLarge, undefined);
            assert.equal(line.text, want);
          }
        });
      },
    ),
    { numRuns: 500 },
  );
});
