import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlockedTime, blockedMicros } from '../src/ring-blocked-time.js';
import { CONTROL_WORDS } from '../src/ring-layout.js';
import type { Ring } from '../src/ring.js';

// The blocked-time words round-trip between the worker's writer and the
// main thread's reader: what the reader sees never goes back, includes a
// wait in progress, and never exceeds the time that passed around it.

/** A ring whose sync wait blocks `ms` on a private word, then runs `during` (the main thread reading while the wait is still counted as in progress). */
function fakeRing(ms: number, during: () => void): Ring {
  const word = new Int32Array(new SharedArrayBuffer(4));
  return {
    waitForDataSync: () => {
      Atomics.wait(word, 0, 0, ms);
      during();
    },
  } as unknown as Ring;
}

test('the reader sees the finished waits, and the wait in progress, never more than the time that passed', () => {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  const blocked = new BlockedTime(control);
  assert.equal(blockedMicros(control), 0, 'nothing before the first wait');
  let previous = 0;
  const started = performance.now();
  for (let i = 0; i < 5; i++) {
    let inWait = -1;
    blocked.waitForData(fakeRing(5, () => (inWait = blockedMicros(control))), 5);
    assert.ok(inWait > previous, `a wait in progress adds its time so far to the finished ones: ${inWait} > ${previous}`);
    const now = blockedMicros(control);
    assert.ok(now >= inWait, `finished, it reads no less than in progress: ${now} >= ${inWait}`);
    assert.ok(now > previous, 'each wait adds time');
    previous = now;
  }
  const elapsedMicros = (performance.now() - started) * 1000;
  assert.ok(previous <= elapsedMicros + 1, `${previous} µs blocked within ${elapsedMicros} µs elapsed`);
});
