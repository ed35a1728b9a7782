import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ring } from '../src/ring.js';
import { InputReader, InputWriter, OutputReader, OutputWriter } from '../src/ring-protocol.js';
import type { RecordPort } from '../src/ring-protocol.js';

// Records that cross by structured clone (a value v8's serializer refuses,
// as one holding a SharedArrayBuffer) go over the port as two messages: the
// value alone, then the record. The receiving port reads the value itself;
// one it cannot read (too deep for the receiver's stack) is lost with only a
// 'messageerror', and the record after it still fails its message.

/** A port that keeps what is posted, cloned as postMessage would. */
class PortStandIn implements RecordPort {
  readonly messages: unknown[] = [];

  postMessage(message: unknown): void {
    this.messages.push(structuredClone(message));
  }
}

const stackOverflow = (): RangeError => {
  try {
    const recurse = (): number => recurse() + 1;
    recurse();
  } catch (error) {
    return error as RangeError;
  }
  throw new Error('no overflow');
};

test('an output that crosses by structured clone comes as its value, then its record', () => {
  const port = new PortStandIn();
  const ring = Ring.create(1 << 12);
  const writer = new OutputWriter(ring, port);
  const reader = new OutputReader(ring);
  const shared = new SharedArrayBuffer(8);
  writer.writeResult(5, { shared, n: 1 });
  assert.equal(port.messages.length, 2);
  const [value, record] = port.messages;
  assert.equal(reader.fromPort(value), false, 'the value alone completes nothing');
  assert.equal(reader.fromPort(record), true);
  assert.equal(reader.slot, 5);
  assert.equal(reader.error, undefined);
  const [output] = reader.values ?? [];
  new Int32Array(shared)[0] = 7;
  assert.equal(new Int32Array((output as { shared: SharedArrayBuffer }).shared)[0], 7, 'the same memory, shared');
  assert.equal(reader.next(), false, 'nothing in the ring');
});

test('a value the port could not read fails the record that follows it; the next records are read as usual', () => {
  const port = new PortStandIn();
  const ring = Ring.create(1 << 12);
  const writer = new OutputWriter(ring, port);
  const reader = new OutputReader(ring);
  writer.writeResult(1, { shared: new SharedArrayBuffer(8) });
  writer.writeResult(2, { shared: new SharedArrayBuffer(8), n: 2 });
  const [, lostRecord, value, record] = port.messages;
  // The receiving port dropped the first value with a 'messageerror'.
  reader.portError(stackOverflow());
  assert.equal(reader.fromPort(lostRecord), true);
  assert.equal(reader.slot, 1);
  assert.equal(reader.values, undefined);
  assert.equal(reader.error?.name, 'ValueTooDeepError');
  assert.equal(reader.error?.code, 'ERR_TIDEMARK_VALUE_TOO_DEEP');
  assert.match(reader.error?.message ?? '', /^the output is nested too deeply to be read on the main thread/);
  assert.equal(reader.fromPort(value), false);
  assert.equal(reader.fromPort(record), true);
  assert.equal(reader.slot, 2);
  assert.equal(reader.error, undefined);
  assert.equal((reader.values?.[0] as { n: number } | undefined)?.n, 2);
});

test('an input the worker could not read fails at the worker as its own message', () => {
  const port = new PortStandIn();
  const ring = Ring.create(1 << 12);
  const writer = new InputWriter(ring, port);
  const reader = new InputReader(ring);
  writer.write(9, 'k', { shared: new SharedArrayBuffer(8) });
  const [, record] = port.messages;
  reader.portError(stackOverflow());
  assert.equal(reader.fromPort(record), true);
  assert.equal(reader.slot, 9);
  assert.equal(reader.key, 'k');
  assert.equal(reader.value, undefined);
  assert.ok(reader.error instanceof Error);
  assert.equal(reader.error.name, 'ValueTooDeepError');
  assert.match(reader.error.message, /^the input is nested too deeply to be read in the worker/);
});

test('a value structured clone refuses is not posted at all: the writer reports the try failed', () => {
  const port = new PortStandIn();
  const ring = Ring.create(1 << 12);
  const writer = new OutputWriter(ring, port);
  const reader = new OutputReader(ring);
  writer.writeResult(4, { shared: new SharedArrayBuffer(8), f: () => 1 });
  writer.commit();
  assert.equal(port.messages.length, 0, 'no value without its record, nor the reverse');
  assert.ok(reader.next());
  assert.equal(reader.slot, 4);
  assert.equal(reader.error?.name, 'DataCloneError');
  assert.throws(() => new InputWriter(ring, port).write(0, undefined, { shared: new SharedArrayBuffer(8), f: () => 1 }), {
    name: 'DataCloneError',
  });
  assert.equal(port.messages.length, 0);
});
