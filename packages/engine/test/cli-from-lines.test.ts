import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { ndjsonLines } from '../src/io/ndjson-lines.js';

// `tidemark run --from N` skips the lines before line index N as they stream
// by: whatever the chunks, what is left is exactly the lines from N on of the
// whole input, with their own line indexes (as a run from 0 would give them).
test('ndjsonLines with `from` yields the lines from that index on, as a full read does, whatever the chunks', async () => {
  const read = async (chunks: Buffer[], max: number, from?: number) => {
    const lines = [];
    for await (const line of ndjsonLines(Readable.from(chunks), max, from)) lines.push(line);
    return lines;
  };
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }).map((line) => line.replace(/[\r\n]/g, '')), { maxLength: 15 }),
      fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 0, max: 20 }),
      async (lines, trailing, cuts, max, from) => {
        const bytes = Buffer.from(lines.join('\n') + (trailing && lines.length > 0 ? '\n' : ''));
        const chunks: Buffer[] = [];
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const size = cuts[i % cuts.length] as number;
          chunks.push(bytes.subarray(at, at + size));
          at += size;
        }
        const all = await read(chunks, max);
        assert.deepEqual(await read(chunks, max, from), all.slice(from));
      },
    ),
  );
});
