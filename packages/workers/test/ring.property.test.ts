import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Ring } from '../src/ring.js';
import { recordHash } from './fixtures/ring-records.js';

// One thread plays both sides against a brute-force model: a byte map of the
// data region (which bytes belong to an unreleased record or to the wrap gap
// before one) and FIFO arrays of reserved and committed records. The model
// places a record the way the header comment says (4-byte length + payload,
// padded to 8; never split across the end: when it does not fit before the
// end, the rest is skipped and it starts at 0) and says "does not fit" when
// any byte it would take is still in use.

const CAPACITIES = [64, 128, 256, 512, 1024] as const;
/** Stands for "exactly maxRecord" in the generated sizes. */
const MAX = -1;

type Op =
  | { readonly kind: 'write'; readonly sizes: readonly number[] }
  | { readonly kind: 'commit' }
  | { readonly kind: 'read'; readonly count: number }
  /** `next` twice without `release`: same record, nothing freed. */
  | { readonly kind: 'peek' }
  | { readonly kind: 'oversize'; readonly by: number };

interface Placed {
  readonly payload: Uint8Array;
  /** Where its length word is. */
  readonly at: number;
  readonly size: number;
  /** The skipped end of the region before it (0 when it did not wrap). */
  readonly gapAt: number;
  readonly gap: number;
}

class Model {
  readonly capacity: number;
  readonly inUse: Uint8Array;
  used = 0;
  /** Where the next record's length word would go if it fits before the end. */
  head: number;
  readonly reserved: Placed[] = [];
  readonly committed: Placed[] = [];

  constructor(capacity: number, start: number) {
    this.capacity = capacity;
    this.inUse = new Uint8Array(capacity);
    this.head = start % capacity;
  }

  /** Take the bytes for a record of `length` bytes, or undefined when any of them is in use. */
  place(length: number, payload: Uint8Array): Placed | undefined {
    const size = Math.ceil((length + 4) / 8) * 8;
    const wraps = this.head + size > this.capacity;
    const gapAt = this.head;
    const gap = wraps ? this.capacity - this.head : 0;
    const at = wraps ? 0 : this.head;
    if (!this.#free(gapAt, gap) || !this.#free(at, size)) return undefined;
    this.#mark(gapAt, gap, 1);
    this.#mark(at, size, 1);
    this.head = (at + size) % this.capacity;
    return { payload, at, size, gapAt, gap };
  }

  release(record: Placed): void {
    this.#mark(record.gapAt, record.gap, 0);
    this.#mark(record.at, record.size, 0);
  }

  #free(from: number, count: number): boolean {
    for (let i = from; i < from + count; i++) if (this.inUse[i] !== 0) return false;
    return true;
  }

  #mark(from: number, count: number, value: 0 | 1): void {
    for (let i = from; i < from + count; i++) {
      assert.notEqual(this.inUse[i], value, 'model: a byte taken twice or freed twice');
      this.inUse[i] = value;
    }
    this.used += value === 1 ? count : -count;
  }
}

/** A ring whose head and tail counters both start at `start` (the first two control words, by the header's diagram). */
function ringAt(capacity: number, start: number): Ring {
  const buffer = Ring.create(capacity).buffer;
  const control = new Int32Array(buffer, 0, 64);
  control[0] = start | 0;
  control[16] = start | 0;
  return new Ring(buffer);
}

function sameBytes(ring: Ring, position: number, expected: Uint8Array): boolean {
  for (let i = 0; i < expected.length; i++) if (ring.bytes[position + i] !== expected[i]) return false;
  return true;
}

const sizeArb = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(0, MAX) },
  { weight: 6, arbitrary: fc.nat(0xffff) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('write' as const), sizes: fc.array(sizeArb, { minLength: 1, maxLength: 8 }) }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'commit' as const }) },
  { weight: 7, arbitrary: fc.record({ kind: fc.constant('read' as const), count: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'peek' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('oversize' as const), by: fc.nat(64) }) },
);

test('every committed record comes out once, in order, byte-identical; reserve refuses exactly when the record does not fit', (t) => {
  const seen = { records: 0, laps: 0, refused: 0, wrapped: 0, full: 0, counterWrapped: 0 };
  fc.assert(
    fc.property(
      fc.constantFrom(...CAPACITIES),
      // Counters start up to 4 KiB below 2^32, so many runs also wrap them.
      fc.nat(512),
      fc.integer(),
      fc.array(opArb, { minLength: 1, maxLength: 400, size: 'max' }),
      (capacity, below, salt, ops) => {
        const start = (2 ** 32 - 8 * below) >>> 0;
        const ring = ringAt(capacity, start);
        const model = new Model(capacity, start);
        const maxRecord = capacity / 4 - 8;
        assert.equal(ring.maxRecord, maxRecord);
        let serial = 0;
        let written = 0;

        for (const op of ops) {
          switch (op.kind) {
            case 'write':
              for (const raw of op.sizes) {
                const length = raw === MAX ? maxRecord : raw % (maxRecord + 1);
                const payload = new Uint8Array(length);
                const hash = recordHash(salt, serial);
                for (let i = 0; i < length; i++) payload[i] = (hash >>> ((i & 3) << 3)) + i;
                const placed = model.place(length, payload);
                const position = ring.reserve(length);
                if (placed === undefined) {
                  assert.equal(position, -1, `a ${length}-byte record does not fit (${model.used} of ${capacity} in use, head at ${model.head})`);
                  seen.refused++;
                  continue;
                }
                assert.equal(position, placed.at + 4, `a ${length}-byte record fits (${model.used - placed.size - placed.gap} in use before it)`);
                ring.bytes.set(payload, position);
                model.reserved.push(placed);
                serial++;
                written += placed.gap + placed.size;
                if (placed.gap > 0) seen.wrapped++;
                if (model.used === capacity) seen.full++;
              }
              break;
            case 'commit':
              ring.commit();
              model.committed.push(...model.reserved.splice(0));
              break;
            case 'read':
              for (let n = 0; n < op.count; n++) {
                const record = model.committed.shift();
                const position = ring.next();
                if (record === undefined) {
                  assert.equal(position, -1, 'nothing committed is left unread');
                  break;
                }
                assert.equal(position, record.at + 4);
                assert.equal(ring.length, record.payload.length);
                assert.ok(sameBytes(ring, position, record.payload), 'the payload comes out as written');
                ring.release();
                model.release(record);
                seen.records++;
              }
              break;
            case 'peek': {
              const record = model.committed[0];
              const position = ring.next();
              if (record === undefined) {
                assert.equal(position, -1);
                break;
              }
              assert.equal(position, record.at + 4);
              assert.equal(ring.length, record.payload.length);
              assert.equal(ring.next(), position, 'next without release returns the same record');
              assert.equal(ring.length, record.payload.length);
              break;
            }
            case 'oversize':
              assert.throws(() => ring.reserve(maxRecord + 1 + op.by), RangeError);
              break;
          }
          assert.equal(ring.empty, model.committed.length === 0, `empty after ${op.kind}`);
          assert.equal(ring.free, capacity - model.used, `free after ${op.kind}`);
        }
        seen.laps += written / capacity;
        if (start + written >= 2 ** 32) seen.counterWrapped++;
      },
    ),
    { numRuns: 2_000 },
  );
  t.diagnostic(`${seen.records} records read, ${seen.laps.toFixed(0)} laps, ${seen.refused} refusals, ${seen.wrapped} wraps, ${seen.full} times full, counters wrapped in ${seen.counterWrapped} runs`);
  // The generators must reach the cases that matter, or the model proves little.
  assert.ok(seen.refused > 0 && seen.wrapped > 0 && seen.full > 0 && seen.counterWrapped > 0);
});

test('an empty ring takes a record of maxRecord bytes wherever its counters stand', () => {
  fc.assert(
    fc.property(fc.constantFrom(...CAPACITIES), fc.nat(), (capacity, slot) => {
      const ring = ringAt(capacity, (slot * 8) >>> 0);
      assert.ok(ring.empty);
      assert.notEqual(ring.reserve(ring.maxRecord), -1);
    }),
    { numRuns: 500 },
  );
});

test('records are invisible until commit, and one commit publishes every reservation before it', () => {
  const ring = Ring.create(64);
  assert.deepEqual([ring.reserve(3), ring.reserve(8)], [4, 12]);
  ring.bytes.set([1, 2, 3], 4);
  assert.equal(ring.next(), -1);
  assert.ok(ring.empty);
  ring.commit();
  assert.equal(ring.next(), 4);
  assert.equal(ring.length, 3);
  assert.deepEqual([...ring.bytes.subarray(4, 7)], [1, 2, 3]);
  ring.release();
  assert.equal(ring.next(), 12);
  assert.equal(ring.length, 8);
  ring.release();
  assert.ok(ring.empty);
  assert.equal(ring.free, 64);
});

test('a full ring refuses even an empty record; a record over maxRecord throws RangeError even when there is room', () => {
  const ring = Ring.create(64);
  for (let i = 0; i < 4; i++) assert.notEqual(ring.reserve(ring.maxRecord), -1);
  assert.equal(ring.free, 0);
  assert.equal(ring.reserve(0), -1);
  assert.throws(() => ring.reserve(ring.maxRecord + 1), RangeError);
  assert.throws(() => Ring.create(1024).reserve(249), { name: 'RangeError', message: /from 0 to 248, got 249 \(number\)/ });
});

test('Ring.create takes a power of two from 64 to 2^30 and rejects anything else', () => {
  for (const capacity of [64, 128, 4096, 2 ** 20]) {
    const ring = Ring.create(capacity);
    assert.equal(ring.capacity, capacity);
    assert.equal(ring.maxRecord, capacity / 4 - 8);
    assert.equal(ring.bytes.length, capacity);
    assert.ok(ring.empty);
    assert.equal(ring.free, capacity);
  }
  for (const capacity of [0, 1, 2, 32, 63, 65, 96, 100, 1000, 4095, -64, 2 ** 31, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => Ring.create(capacity), { name: 'RangeError', message: new RegExp(`power of two .* got ${capacity}$`) }, String(capacity));
  }
});

test('reserve rejects a negative or NaN length', () => {
  // reserve(-1) would store 0xFFFFFFFF, the wrap marker, as the length (the
  // consumer would skip to 0 and read garbage), and reserve(NaN) would take
  // 0 bytes and lose the record.
  for (const length of [-1, -8, Number.NaN]) assert.throws(() => Ring.create(64).reserve(length), RangeError, String(length));
});

test('Ring.create rejects a fractional capacity', () => {
  assert.throws(() => Ring.create(64.5), RangeError);
});
