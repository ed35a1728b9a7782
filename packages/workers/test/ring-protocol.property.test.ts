import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fanOut } from '../src/outputs.js';
import type { SerializedError } from '../src/protocol.js';
import { Ring } from '../src/ring.js';
import { InputReader, InputWriter, OutputReader, OutputWriter } from '../src/ring-protocol.js';
import type { PortRecord, RecordPort } from '../src/ring-protocol.js';

// Both ends of the record format on one thread, over a real ring: what the
// writer of a direction was given, the reader of that direction gives back,
// by the ring or, for what the ring cannot carry, by the port. The port is a
// stand-in that structured-clones each record with its transfer list, as
// postMessage does, and keeps it for the reader.

/** Posts as a MessagePort does (structured clone, transfers), into a list. */
class PortStandIn implements RecordPort {
  readonly records: PortRecord[] = [];

  postMessage(record: unknown, transfer?: readonly ArrayBuffer[]): void {
    this.records.push(structuredClone(record, { transfer: [...(transfer ?? [])] }) as PortRecord);
  }

  take(): PortRecord[] {
    return this.records.splice(0);
  }
}

/** A ring's buffer whose head and tail counters start at `start`, so runs also wrap the uint32 counters. */
function bufferAt(capacity: number, start: number): SharedArrayBuffer {
  const buffer = Ring.create(capacity).buffer;
  const control = new Int32Array(buffer, 0, 64);
  control[0] = start | 0;
  control[16] = start | 0;
  return buffer;
}

const CAPACITIES = [256, 1024, 4096] as const;

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const textArb = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  // Lone surrogates: UTF-8 cannot carry them, so these must take another way.
  fc.string({ unit: fc.oneof(fc.constantFrom('a', 'é', '✓', '😀'), loneSurrogate), maxLength: 10 }),
  // Longer than most rings' largest record: the port.
  fc.string({ minLength: 250, maxLength: 1_500 }),
);
const keyArb = fc.oneof(fc.constant(undefined), fc.constant(''), textArb);
const bytesArb = fc.uint8Array({ maxLength: 600 });
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.double(), // NaN, -0 and the infinities included
  fc.integer(),
  textArb,
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  bytesArb,
  bytesArb.map((bytes) => Buffer.from(bytes)),
  // Bytes in shared memory: copied out, like any bytes.
  bytesArb.map((bytes) => {
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    return shared;
  }),
  // Without invalid dates: deepStrictEqual never finds two of them equal (their times are NaN),
  // so a Set or Map holding one could not be checked (a CI run drew new Set([new Date(NaN)])).
  fc.anything({ maxDepth: 3, withMap: true, withSet: true, withDate: true, withBigInt: true }).filter((value) => !holdsInvalidDate(value)),
  fc.record(
    { at: fc.date({ noInvalidDate: true }), tags: fc.array(textArb, { maxLength: 3 }), index: fc.dictionary(fc.string(), fc.double(), { noNullPrototype: true }) },
    { noNullPrototype: true },
  ),
);
/** Whether `value` is, or holds (in an array, object, Map or Set), a Date whose time is NaN. */
function holdsInvalidDate(value: unknown, depth = 0): boolean {
  if (value instanceof Date) return Number.isNaN(value.getTime());
  if (typeof value !== 'object' || value === null || depth > 8) return false;
  const inner = value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set ? [...value] : Object.values(value);
  return inner.some((item) => holdsInvalidDate(item, depth + 1));
}
const slotArb = fc.nat({ max: 0xffff_ffff });
const errorArb: fc.Arbitrary<SerializedError> = fc.record({
  name: textArb,
  code: fc.option(textArb, { nil: undefined }),
  message: textArb,
  stack: fc.option(textArb, { nil: undefined }),
}, { noNullPrototype: true });

type Result =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'fanOut'; readonly values: unknown[] }
  | { readonly kind: 'error'; readonly error: SerializedError };
const resultArb: fc.Arbitrary<Result> = fc.oneof(
  fc.record({ kind: fc.constant('value' as const), value: valueArb }),
  fc.record({ kind: fc.constant('fanOut' as const), values: fc.array(valueArb, { maxLength: 4 }) }),
  fc.record({ kind: fc.constant('error' as const), error: errorArb }),
);

/** deepStrictEqual compares prototypes; this says so in the message when only the class differs. */
function assertSameClass(actual: unknown, expected: unknown): void {
  if (expected instanceof Uint8Array) {
    assert.equal(Object.getPrototypeOf(actual), Object.getPrototypeOf(expected), 'Buffer stays Buffer, Uint8Array stays Uint8Array');
  }
}

test('input records: slot, key and value come back equal, by the ring or the port, through many laps of a small ring', (t) => {
  const seen = { ring: 0, port: 0, laps: 0 };
  fc.assert(
    fc.property(
      fc.constantFrom(...CAPACITIES),
      fc.nat(512),
      fc.array(fc.array(fc.record({ slot: slotArb, key: keyArb, value: valueArb }, { noNullPrototype: true }), { minLength: 1, maxLength: 12 }), {
        minLength: 1,
        maxLength: 30,
      }),
      (capacity, below, batches) => {
        const buffer = bufferAt(capacity, (2 ** 32 - 8 * below) >>> 0);
        const port = new PortStandIn();
        const producer = new Ring(buffer);
        const writer = new InputWriter(producer, port);
        const consumer = new Ring(buffer);
        const reader = new InputReader(consumer);
        let bytes = 0;
        for (const batch of batches) {
          const byRing: typeof batch = [];
          const byPort: typeof batch = [];
          for (const record of batch) {
            const posted = port.records.length;
            const used = capacity - producer.free;
            writer.write(record.slot, record.key, record.value);
            (port.records.length > posted ? byPort : byRing).push(record);
            bytes += capacity - producer.free - used;
          }
          writer.commit();
          for (const expected of byRing) {
            assert.ok(reader.next(), 'a record for each one not posted');
            assert.deepStrictEqual({ slot: reader.slot, key: reader.key, value: reader.value }, expected);
            assertSameClass(reader.value, expected.value);
          }
          assert.equal(reader.next(), false, 'nothing more in the ring');
          const posted = port.take();
          assert.equal(posted.length, byPort.length);
          posted.forEach((record, index) => {
            reader.fromPort(record);
            assert.deepStrictEqual({ slot: reader.slot, key: reader.key, value: reader.value }, byPort[index]);
            assertSameClass(reader.value, byPort[index]?.value);
          });
          seen.ring += byRing.length;
          seen.port += byPort.length;
        }
        seen.laps += bytes / capacity;
      },
    ),
    { numRuns: 300 },
  );
  t.diagnostic(JSON.stringify(seen));
  assert.ok(seen.ring > 1_000 && seen.port > 100 && seen.laps > 20, JSON.stringify(seen));
});

test('output records: outputs (one, none, several) and errors come back equal, by the ring or the port', (t) => {
  const seen = { ring: 0, port: 0, laps: 0 };
  fc.assert(
    fc.property(
      fc.constantFrom(...CAPACITIES),
      fc.nat(512),
      // At most two records between reads: the worker's writer waits for room, and two always fit.
      fc.array(fc.array(fc.record({ slot: slotArb, result: resultArb }, { noNullPrototype: true }), { minLength: 1, maxLength: 2 }), {
        minLength: 1,
        maxLength: 40,
      }),
      (capacity, below, batches) => {
        const buffer = bufferAt(capacity, (2 ** 32 - 8 * below) >>> 0);
        const port = new PortStandIn();
        const producer = new Ring(buffer);
        const writer = new OutputWriter(producer, port);
        const consumer = new Ring(buffer);
        const reader = new OutputReader(consumer);
        let bytes = 0;
        for (const batch of batches) {
          const byRing: typeof batch = [];
          const byPort: typeof batch = [];
          for (const record of batch) {
            const posted = port.records.length;
            const used = capacity - producer.free;
            const { slot, result } = record;
            if (result.kind === 'error') writer.writeError(slot, result.error);
            else writer.writeResult(slot, result.kind === 'value' ? result.value : fanOut(...result.values));
            (port.records.length > posted ? byPort : byRing).push(record);
            bytes += capacity - producer.free - used;
          }
          writer.commit();
          const check = ({ slot, result }: (typeof batch)[number]): void => {
            const expected =
              result.kind === 'error'
                ? { slot, values: undefined, error: result.error }
                : { slot, values: result.kind === 'value' ? [result.value] : result.values, error: undefined };
            assert.deepStrictEqual({ slot: reader.slot, values: reader.values, error: reader.error }, expected);
            expected.values?.forEach((value, index) => assertSameClass(reader.values?.[index], value));
          };
          for (const expected of byRing) {
            assert.ok(reader.next(), 'a record for each one not posted');
            check(expected);
          }
          assert.equal(reader.next(), false, 'nothing more in the ring');
          const posted = port.take();
          assert.equal(posted.length, byPort.length);
          posted.forEach((record, index) => {
            reader.fromPort(record);
            check(byPort[index] as (typeof batch)[number]);
          });
          seen.ring += byRing.length;
          seen.port += byPort.length;
        }
        seen.laps += bytes / capacity;
      },
    ),
    { numRuns: 300 },
  );
  t.diagnostic(JSON.stringify(seen));
  assert.ok(seen.ring > 1_000 && seen.port > 100 && seen.laps > 20, JSON.stringify(seen));
});

test('keys the header cannot carry (65,535 UTF-8 bytes or more, lone surrogates) go by the port, intact', () => {
  const port = new PortStandIn();
  const ring = Ring.create(1 << 20);
  const writer = new InputWriter(ring, port);
  const reader = new InputReader(ring);
  for (const key of ['k'.repeat(0xffff), 'k'.repeat(0xfffe), '\ud800']) {
    writer.write(7, key, 1);
    writer.commit();
    if (reader.next()) {
      assert.equal(key.length, 0xfffe, 'only the key that fits takes the ring');
    } else {
      const [record] = port.take();
      assert.ok(record !== undefined);
      reader.fromPort(record);
    }
    assert.equal(reader.key, key);
    assert.equal(reader.value, 1);
  }
});

test('a value structured clone cannot send: the input writer throws, the output writer reports the try failed', () => {
  const port = new PortStandIn();
  const ring = Ring.create(1 << 16);
  assert.throws(() => new InputWriter(ring, port).write(0, undefined, () => 1), { name: 'DataCloneError' });
  const writer = new OutputWriter(ring, port);
  const reader = new OutputReader(ring);
  writer.writeResult(3, fanOut(1, { f: () => 1 }));
  writer.commit();
  assert.ok(reader.next());
  assert.equal(reader.slot, 3);
  assert.equal(reader.values, undefined);
  assert.equal(reader.error?.name, 'DataCloneError');
  assert.equal(port.records.length, 0);
});
