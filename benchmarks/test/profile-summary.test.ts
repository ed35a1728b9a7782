import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Profiler, Runtime } from 'node:inspector';
import { nameOf, placeOf, selfTimes, topRows } from '../src/profile-summary.js';

const frame = (functionName: string, url: string, lineNumber = 0): Runtime.CallFrame => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '0' });

test('a frame is placed by where its code lives', () => {
  assert.equal(placeOf(frame('take', 'file:///w/packages/engine/dist/run/run.js')), 'engine/run');
  assert.equal(placeOf(frame('process', 'file:///w/packages/engine/dist/engine.js')), 'engine');
  assert.equal(placeOf(frame('commit', 'file:///w/packages/workers/dist/ring.js')), 'workers');
  assert.equal(placeOf(frame('push', 'file:///w/node_modules/.pnpm/heap-js@2.7.1/node_modules/heap-js/dist/heap-js.es5.js')), 'heap-js');
  assert.equal(placeOf(frame('x', 'file:///w/node_modules/.pnpm/@nats-io+nats-core@3/node_modules/@nats-io/nats-core/lib/a.js')), '@nats-io/nats-core');
  assert.equal(placeOf(frame('emit', 'node:events')), 'node');
  assert.equal(placeOf(frame('(idle)', '')), '(idle)');
  assert.equal(placeOf(frame('notify', '')), '(native)');
  assert.equal(placeOf(frame('drain', 'file:///w/benchmarks/dist/overhead-engine.js')), 'benchmark loop');
});

test('a frame is named by its function, file and line from 1', () => {
  assert.equal(nameOf(frame('take', 'file:///w/packages/engine/dist/run/run.js', 9)), 'take (run.js:10)');
  assert.equal(nameOf(frame('', 'node:events', 0)), '(anonymous) (node:events:1)');
  assert.equal(nameOf(frame('(idle)', '')), '(idle)');
});

test('self time sums each sample gap into its function and place', () => {
  const profile: Profiler.Profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', '') },
      { id: 2, callFrame: frame('take', 'file:///w/packages/engine/dist/run/run.js', 4) },
      { id: 3, callFrame: frame('read', 'file:///w/packages/engine/dist/source/intake.js', 1) },
    ],
    startTime: 0,
    endTime: 10,
    samples: [2, 3, 2, 3],
    // The first gap is from the start; each sample's time is the gap to the next.
    timeDeltas: [0, 1000, 2000, 3000],
  };
  const times = selfTimes(profile);
  assert.equal(times.totalMs, 6);
  assert.deepEqual([...times.byFunction], [
    ['take (run.js:5)', 4],
    ['read (intake.js:2)', 2],
  ]);
  assert.deepEqual(topRows(times.byPlace, times.totalMs, 5), [
    ['engine/run', '4.0', '66.7%'],
    ['engine/source', '2.0', '33.3%'],
  ]);
});
