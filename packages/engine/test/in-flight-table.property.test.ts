import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InFlightTable } from '../src/run/in-flight-table.js';
import type { InFlightEntry } from '../src/run/in-flight-table.js';

// The tracker's in-flight table against a Map (what it replaced): the same
// entries by id, the same read order, the same oldest and size, over random
// reads and leaves, with stragglers that stay in flight while many later
// ids come (so that ids share a slot and go aside) and enough entries at
// once to make the table grow.

interface Entry extends InFlightEntry {
  readonly id: number;
}

type Command =
  /** Read `count` messages (ids from the counter, after skipping `skip` ids: other runs or windows took them). */
  | { readonly kind: 'read'; readonly count: number; readonly skip: number }
  /** The `pick`-th in flight leaves. */
  | { readonly kind: 'leave'; readonly pick: number }
  /** All but the `keep` oldest leave: stragglers stay while the counter moves on. */
  | { readonly kind: 'sweep'; readonly keep: number }
  | { readonly kind: 'lookup'; readonly id: number }
  /** Leave an entry that already left: refused, nothing changes. */
  | { readonly kind: 'leaveAgain' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('read' as const), count: fc.integer({ min: 1, max: 700 }), skip: fc.oneof(fc.constant(0), fc.nat(5000)) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('leave' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const), keep: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('lookup' as const), id: fc.nat(40_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leaveAgain' as const) }) },
);

test('InFlightTable gives what a Map in insertion order gives', () => {
  fc.assert(
    fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
      const table = new InFlightTable<Entry>();
      const model = new Map<number, Entry>();
      const gone: Entry[] = [];
      let next = 0;
      const leave = (entry: Entry): void => {
        assert.equal(table.delete(entry), true);
        model.delete(entry.id);
        gone.push(entry);
      };
      for (const c of commands) {
        switch (c.kind) {
          case 'read':
            next += c.skip;
            for (let i = 0; i < c.count; i++) {
              const entry: Entry = { id: next++, older: undefined, newer: undefined };
              table.add(entry);
              model.set(entry.id, entry);
            }
            break;
          case 'leave': {
            const ids = [...model.keys()];
            if (ids.length > 0) leave(model.get(ids[c.pick % ids.length] as number) as Entry);
            break;
          }
          case 'sweep':
            for (const entry of [...model.values()].slice(c.keep)) leave(entry);
            break;
          case 'lookup':
            assert.equal(table.get(c.id), model.get(c.id));
            break;
          case 'leaveAgain': {
            const entry = gone.at(-1);
            if (entry !== undefined) assert.equal(table.delete(entry), false);
          }
        }
        assert.equal(table.size, model.size);
        assert.equal(table.oldest, model.values().next().value);
        assert.deepEqual([...table].map((entry) => entry.id), [...model.keys()]);
      }
      for (const [id, entry] of model) assert.equal(table.get(id), entry);
      for (const entry of gone) if (!model.has(entry.id)) assert.equal(table.get(entry.id), undefined);
    }),
    { numRuns: 300 },
  );
});
