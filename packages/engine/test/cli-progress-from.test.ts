import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { Progress } from '../src/cli/progress.js';
import type { ProgressSource } from '../src/cli/progress.js';
import { within } from './helpers/wait.js';

// `tidemark run --from N` over a file: the lines before N are skipped, not
// done by this run. Progress is over the bytes from line N's start to the
// end, and its rate and ETA over the bytes this run did: at the start of a
// run from the middle of a file, 0% and no ETA (nothing done yet), never
// the skipped half counted as done at once (which gave `60% … ETA 644 ms`
// with 3.1 s left).

const source: ProgressSource = {
  stats: undefined,
  inFlight: 0,
  processing: 0,
  watermark: Number.NEGATIVE_INFINITY,
  concurrency: 4,
};

test('progress from a --from line: the share and the ETA are of the bytes from that line on, done by this run', async () => {
  let text = '';
  let wrote: () => void = () => {};
  const line = new Promise<void>((resolve) => (wrote = resolve));
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      wrote();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  // A 1000-byte file whose first 600 bytes (lines 0 to 2999) were skipped: the source is past them, nothing after is done.
  const progress = new Progress(source, {
    input: { size: 1000, bytesDone: () => 600, from: { line: 3000, byte: () => 600 } },
    interactive: false,
    stream,
  }).start();
  try {
    await within(line, 'a progress line');
  } finally {
    progress.stop();
  }
  const first = text.split('\n')[0] ?? '';
  assert.match(first, /^tidemark: 0% of 400 B done \(from line 3000\), 0 acked, /, text);
  assert.doesNotMatch(first, /ETA/, 'no ETA before anything is done');
});
