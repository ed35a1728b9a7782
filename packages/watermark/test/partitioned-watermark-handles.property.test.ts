import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PartitionedWatermark } from '../src/index.js';
import type { InFlight } from '../src/index.js';

// The handle API (`enter` / `leave`, for an owner that keeps its own
// in-flight set) against the id API (`readUnder` / `complete`, checked
// against the brute-force model in partitioned-watermark.property.test.ts):
// the same random reads, completions in any order, idle waits and queries
// give the same watermarks, late flags, output and idle timers.

type Command =
  | { readonly kind: 'read'; readonly partition: number; readonly drift: number; readonly given: number | undefined }
  | { readonly kind: 'complete'; readonly pick: number }
  | { readonly kind: 'tick'; readonly elapsed: number }
  | { readonly kind: 'current' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('read' as const), partition: fc.nat(3), drift: fc.integer({ min: -20, max: 20 }), given: fc.option(fc.integer({ min: -50, max: 200 }), { nil: undefined }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('complete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), elapsed: fc.nat(30) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('current' as const) }) },
);

test('enter/leave give what readUnder/complete give, on any sequence', () => {
  fc.assert(
    fc.property(fc.nat(10), fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 40 })), fc.array(command, { maxLength: 300 }), (bound, idleAfter, commands) => {
      const byId = new PartitionedWatermark({ maxOutOfOrderness: bound, idleAfter });
      const byHandle = new PartitionedWatermark({ maxOutOfOrderness: bound, idleAfter });
      const live: { id: number; handle: InFlight }[] = [];
      let nextId = 0;
      let time = 0;
      let eventTime = 100;
      for (const c of commands) {
        switch (c.kind) {
          case 'read': {
            const id = nextId++;
            eventTime += c.drift;
            const watermark = byId.readUnder(id, c.partition, eventTime, time, c.given);
            const handle = byHandle.enter(id, c.partition, eventTime, time, c.given);
            assert.equal(handle.watermark, watermark);
            assert.equal(byHandle.lastLate, byId.lastLate);
            live.push({ id, handle });
            break;
          }
          case 'complete': {
            if (live.length === 0) break;
            const [{ id, handle }] = live.splice(c.pick % live.length, 1) as [{ id: number; handle: InFlight }];
            assert.equal(byId.complete(id, time), true);
            assert.equal(byHandle.leave(handle, time), true);
            // Given back twice before its partition reuses it: refused.
            assert.equal(byHandle.leave(handle, time), false);
            break;
          }
          case 'tick':
            time += c.elapsed;
            break;
          case 'current':
            assert.equal(byHandle.current(time), byId.current(time));
        }
        assert.equal(byHandle.inFlight, byId.inFlight);
        assert.equal(byHandle.nextIdleAt(), byId.nextIdleAt());
      }
      assert.equal(byHandle.current(time), byId.current(time));
      assert.equal(byHandle.lateCount, byId.lateCount);
      // The handle API keeps no id map: `has` knows only what was read by id.
      for (const { id } of live) assert.equal(byHandle.has(id), false);
    }),
    { numRuns: 500 },
  );
});
