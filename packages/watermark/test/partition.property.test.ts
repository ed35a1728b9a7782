import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Partition } from '../src/partition.js';
import type { InFlight } from '../src/partition.js';

// White-box: one partition's queue (FIFO with lazy deletion and reused
// nodes) against a plain map of what is in flight. low() must be the lowest
// live watermark, the queue must stay within 2 * in flight + 64 entries, and
// no node still in flight may be handed out again.

type Command =
  | { readonly kind: 'read'; readonly drift: number }
  | { readonly kind: 'pin'; readonly drift: number }
  | { readonly kind: 'complete'; readonly pick: number }
  | { readonly kind: 'release'; readonly pick: number }
  | { readonly kind: 'low' };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 100, arbitrary: fc.record({ kind: fc.constant('read'), drift: fc.integer({ min: -5, max: 5 }) }) },
  { weight: 100, arbitrary: fc.record({ kind: fc.constant('complete'), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pin'), drift: fc.integer({ min: -5, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release'), pick: fc.nat() }) },
  { weight: 30, arbitrary: fc.constant({ kind: 'low' as const }) },
);

test('a partition queue gives the oldest live watermark, in bounded memory, without reusing a live node', () => {
  fc.assert(
    fc.property(fc.array(commandArb, { minLength: 200, maxLength: 1_500, size: 'max' }), (commands) => {
      const partition = new Partition('p', 3, 0);
      const live = new Map<number, { readonly node: InFlight; readonly watermark: number; readonly pinned: boolean }>();
      let nextId = 0;
      let maxEventTime = 0;
      for (const command of commands) {
        switch (command.kind) {
          case 'read':
          case 'pin': {
            const eventTime = maxEventTime + command.drift;
            maxEventTime = Math.max(maxEventTime, eventTime);
            const { watermark } = partition.input.observe(eventTime, 0);
            const id = nextId++;
            const node = partition.enqueue(id, watermark);
            live.set(id, { node, watermark, pinned: command.kind === 'pin' });
            break;
          }
          case 'complete':
          case 'release': {
            const ids = [...live].filter(([, entry]) => entry.pinned === (command.kind === 'release')).map(([id]) => id);
            const id = ids[command.pick % Math.max(ids.length, 1)];
            if (id === undefined) break;
            partition.complete((live.get(id) as { node: InFlight }).node);
            live.delete(id);
            break;
          }
          case 'low': {
            let expected = partition.input.current();
            for (const entry of live.values()) expected = Math.min(expected, entry.watermark);
            assert.equal(partition.low(), expected);
            break;
          }
        }
        assert.equal(partition.inFlight, live.size);
        assert.ok(partition.held <= 2 * live.size + 64, `${partition.held} entries held for ${live.size} in flight`);
        for (const [id, entry] of live) {
          assert.equal(entry.node.id, id, 'a node in flight was reused');
          assert.equal(entry.node.done, false);
          assert.equal(entry.node.watermark, entry.watermark);
        }
      }
    }),
    { numRuns: 200 },
  );
});
