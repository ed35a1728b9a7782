import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { Progress } from '../src/cli/progress.js';
import type { ProgressInput, ProgressSource } from '../src/cli/progress.js';
import { emptyStats } from '../src/run/run-stats.js';

// The progress line's ETA, checked for its value: a fake clock (the sampling
// interval and `performance.now()` both mocked) moves 250 ms a sample while
// the run acks at a rate the test sets, and each plain line (one a second)
// must show the share done and the ETA that the rate of the last two seconds
// implies: what is left divided by it. A rate that slows shows in the ETA
// within that window, not diluted by the run's whole history.

const sample = 250; // ms between samples (progress.ts `tick`)

/** A progress display over `input` or `total` with a fake clock; `step(n)` advances one sample after `n()` moved the run on. */
function fakeRun(t: TestContext, options: { total?: number; input?: ProgressInput }) {
  let clock = 1_000_000;
  t.mock.method(performance, 'now', () => clock);
  t.mock.timers.enable({ apis: ['setInterval'] });
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter((line) => line !== ''));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  const stats = emptyStats();
  const source: ProgressSource = { stats, inFlight: 3, processing: 2, watermark: Number.NEGATIVE_INFINITY, concurrency: 4 };
  const progress = new Progress(source, { ...options, interactive: false, stream }).start();
  t.after(() => progress.stop());
  return {
    stats,
    lines,
    /** One sample later, after `move` moved the run on. */
    step(move: () => void): void {
      move();
      clock += sample;
      t.mock.timers.tick(sample);
    },
  };
}

test('progress by messages: the ETA is the messages left at the rate acked over the last two seconds', (t) => {
  const run = fakeRun(t, { total: 1000 });
  // 25 acked a sample (100 msg/s) for 2 s, then 10 a sample (40 msg/s).
  for (let i = 0; i < 8; i++) run.step(() => (run.stats.acked += 25));
  for (let i = 0; i < 8; i++) run.step(() => (run.stats.acked += 10));
  assert.equal(run.lines.length, 4, run.lines.join('\n'));
  const eta = run.lines.map((line) => /^tidemark: (\d+)% (\d+)\/1000 acked, ([\d.]+) msg\/s, ETA ([^,]+), in flight 3 \(2\/4 at workers\)$/.exec(line)?.slice(1));
  assert.deepEqual(eta, [
    ['10', '100', '100', '9.0 s'], // 1 s: 900 left at 100/s
    ['20', '200', '100', '8.0 s'], // 2 s: 800 left at 100/s
    ['24', '240', '70.0', '10.9 s'], // 3 s: 760 left at (240 - 100) / 2 s = 70/s
    ['28', '280', '40.0', '18.0 s'], // 4 s: 720 left at (280 - 200) / 2 s = 40/s, not the run's 70/s
  ]);
});

test('progress by input bytes: the ETA is the bytes left at the rate done over the last two seconds', (t) => {
  let done = 0;
  const run = fakeRun(t, { input: { size: 10_000, bytesDone: () => done } });
  // 500 bytes done a sample (2 B/ms) for 2 s, then 250 (1 B/ms); 20 messages acked a sample.
  for (let i = 0; i < 8; i++) run.step(() => ((done += 500), (run.stats.acked += 20)));
  for (let i = 0; i < 8; i++) run.step(() => ((done += 250), (run.stats.acked += 20)));
  assert.equal(run.lines.length, 4, run.lines.join('\n'));
  const eta = run.lines.map((line) => /^tidemark: (\d+)% of 9\.8 KiB done, (\d+) acked, [\d.]+ msg\/s, ETA ([^,]+), /.exec(line)?.slice(1));
  assert.deepEqual(eta, [
    ['20', '80', '4.0 s'], // 1 s: 2,000 B done, 8,000 left at 2 B/ms
    ['40', '160', '3.0 s'], // 2 s: 6,000 left at 2 B/ms
    ['50', '240', '3.3 s'], // 3 s: 5,000 left at (5,000 - 2,000) B / 2 s = 1.5 B/ms
    ['60', '320', '4.0 s'], // 4 s: 4,000 left at (6,000 - 4,000) B / 2 s = 1 B/ms, not the run's 1.5
  ]);
  run.step(() => (done = 10_000));
  run.step(() => {});
  run.step(() => {});
  run.step(() => {});
  assert.match(run.lines.at(-1) ?? '', /^tidemark: 100% of 9\.8 KiB done, 320 acked, .*ETA 0 ms, /, 'all done: nothing left');
});
