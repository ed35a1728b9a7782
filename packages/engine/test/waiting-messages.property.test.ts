import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { WaitingMessages } from '../src/transport/waiting-messages.js';
import type { SlotLink } from '../src/transport/waiting-messages.js';
import type { Outgoing } from '../src/transport/transport.js';

// The ring transport's waiting list against a model, with fake links: a
// slot's link holds up to `capacity` messages; messages complete in random
// order, links die (what they held is sent again, as the engine does with
// requeued messages) and come back. Checked at every step:
// - a message with affinity reaches only its slot's link;
// - a link takes a message only when no older waiting message could use
//   that room (oldest first; so each slot, and the free queue, in read order);
// - after each call, nothing waits that could go (no head-of-line blocking);
// - nothing is lost: in the end every message sent was delivered.

type Op =
  | { readonly kind: 'send'; readonly affinity: number | null }
  | { readonly kind: 'complete'; readonly slot: number; readonly which: number }
  | { readonly kind: 'kill'; readonly slot: number }
  | { readonly kind: 'revive'; readonly slot: number };

const opArb = (slots: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('send' as const), affinity: fc.option(fc.nat(3 * slots), { nil: null }) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('complete' as const), slot: fc.nat(slots - 1), which: fc.nat(7) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('kill' as const), slot: fc.nat(slots - 1) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('revive' as const), slot: fc.nat(slots - 1) }) },
  );

class Model {
  readonly links: (FakeLink | undefined)[];
  /** Messages handed to the waiting list and not delivered yet, by the order they were handed over. */
  readonly pending = new Map<number, { readonly seq: number; readonly slot: number | undefined }>();
  readonly delivered = new Set<number>();
  #seq = 0;

  readonly slots: number;
  readonly capacity: number;

  constructor(slots: number, capacity: number) {
    this.slots = slots;
    this.capacity = capacity;
    this.links = Array.from({ length: slots }, (_, slot) => new FakeLink(this, slot));
  }

  handed(message: Outgoing): void {
    this.pending.set(message.id, { seq: this.#seq++, slot: message.affinity === undefined ? undefined : message.affinity % this.slots });
  }

  /** A link took `message`: check it was its to take, and the oldest that could. */
  took(slot: number, message: Outgoing): void {
    const mine = this.pending.get(message.id);
    assert.ok(mine !== undefined, `message ${message.id} delivered while not waiting`);
    if (mine.slot !== undefined) assert.equal(slot, mine.slot, `message ${message.id} went to its slot`);
    for (const [id, other] of this.pending) {
      if (other.seq < mine.seq && (other.slot === undefined || other.slot === slot)) {
        assert.fail(`message ${id} (slot ${String(other.slot)}) waited longer for the room slot ${slot} gave ${message.id}`);
      }
    }
    this.pending.delete(message.id);
    this.delivered.add(message.id);
  }

  /** Nothing waits that could go now. */
  settled(waiting: WaitingMessages): void {
    assert.equal(waiting.size, this.pending.size, 'the waiting list holds what was handed over and not delivered');
    for (const link of this.links) {
      if (link === undefined || link.room === 0) continue;
      for (const [id, other] of this.pending) {
        assert.ok(other.slot !== undefined && other.slot !== link.slot, `message ${id} waits though slot ${link.slot} has room`);
      }
    }
  }
}

class FakeLink implements SlotLink {
  readonly held: Outgoing[] = [];
  readonly model: Model;
  readonly slot: number;

  constructor(model: Model, slot: number) {
    this.model = model;
    this.slot = slot;
  }

  get room(): number {
    return this.model.capacity - this.held.length;
  }

  send(message: Outgoing): void {
    assert.ok(this.room > 0, `slot ${this.slot} sent a message with no room`);
    this.model.took(this.slot, message);
    this.held.push(message);
  }
}

function message(id: number, affinity: number | null): Outgoing {
  return { id, input: id, offset: id, key: undefined, eventTime: 0, attempts: 1, ...(affinity === null ? {} : { affinity }) };
}

test('the waiting list sends each message to its slot, oldest first, and holds back nothing that could go', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }).chain((slots) =>
        fc.tuple(fc.constant(slots), fc.integer({ min: 1, max: 3 }), fc.array(opArb(slots), { maxLength: 200 })),
      ),
      ([slots, capacity, ops]) => {
        const model = new Model(slots, capacity);
        const waiting = new WaitingMessages(slots);
        const hand = (m: Outgoing) => {
          model.handed(m);
          waiting.send(m, model.links);
        };
        let next = 0;
        for (const op of ops) {
          if (op.kind === 'send') {
            hand(message(next++, op.affinity));
          } else if (op.kind === 'complete') {
            const link = model.links[op.slot];
            if (link === undefined || link.held.length === 0) continue;
            link.held.splice(op.which % link.held.length, 1);
            if (waiting.size > 0) waiting.flush(model.links);
          } else if (op.kind === 'kill') {
            const link = model.links[op.slot];
            if (link === undefined) continue;
            model.links[op.slot] = undefined;
            for (const held of link.held) {
              model.delivered.delete(held.id);
              hand(held);
            }
          } else {
            if (model.links[op.slot] !== undefined) continue;
            model.links[op.slot] = new FakeLink(model, op.slot);
            waiting.flush(model.links);
          }
          model.settled(waiting);
        }
        // Every worker back, and everything completes: all delivered.
        for (let slot = 0; slot < slots; slot++) model.links[slot] ??= new FakeLink(model, slot);
        waiting.flush(model.links);
        for (let round = 0; waiting.size > 0; round++) {
          assert.ok(round <= next, 'the waiting list drains');
          for (const link of model.links) link?.held.splice(0);
          waiting.flush(model.links);
          model.settled(waiting);
        }
        assert.equal(model.delivered.size, next, 'every message was delivered');
      },
    ),
    { numRuns: 500 },
  );
});

test('an affinity that is not an integer from 0 up is refused, and nothing changes', () => {
  const waiting = new WaitingMessages(2);
  const link: SlotLink = {
    room: 1,
    send: () => assert.fail('sent'),
  };
  for (const affinity of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
    assert.throws(() => waiting.send(message(0, affinity), [link, link]), {
      name: 'RangeError',
      message: new RegExp(`^Expected \`affinity\` to be an integer from 0 up, got \`${String(affinity)}\` \\(number\\)$`, 'u'),
    });
  }
  assert.equal(waiting.size, 0);
});
