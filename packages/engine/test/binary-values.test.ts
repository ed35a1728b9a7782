import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { Engine } from '../src/index.js';
import type { EngineRecord, SourceRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { within } from './helpers/wait.js';

// A Buffer comes back a Buffer and a Uint8Array a Uint8Array, with the same
// bytes, whether it travels in the ring or by postMessage (too large for
// the ring, or the ring full), or over the task transport (its own codec
// keeps the class too: README, Transports). The ring's sizes below are what
// the ring tests are about; the task transport gets one test of its own.

const pattern = (length: number, seed: number): Uint8Array => {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 13 + seed) & 255;
  return bytes;
};

/** Binary values of `length` bytes: whole, and views at an offset into a larger buffer. */
function binaries(length: number, seed: number): (Buffer | Uint8Array)[] {
  const backing = pattern(length + 16, seed);
  return [
    Buffer.from(pattern(length, seed)),
    pattern(length, seed + 1),
    // Views whose bytes start 5 bytes into their ArrayBuffer: only the view's bytes travel.
    Buffer.from(backing.buffer, 5, length),
    backing.subarray(5, 5 + length),
  ];
}

async function echo(
  t: TestContext,
  ringBytes: number,
  concurrency: number,
  values: readonly (Buffer | Uint8Array)[],
  transport: 'ring' | 'task' = 'ring',
): Promise<EngineRecord[]> {
  const engine = new Engine({ transport, transform: fixture('identity.js'), threads: 1, concurrency, ringBytes });
  t.after(() => within(engine.close(), 'the engine to close'));
  const records: EngineRecord[] = [];
  const source: SourceRecord[] = values.map((value) => ({ value }));
  await within(
    (async () => {
      for await (const record of engine.process(source)) records.push(record);
    })(),
    `${values.length} binary values through the engine`,
  );
  return records.sort((a, b) => a.offset - b.offset);
}

function assertSameBinaries(records: readonly EngineRecord[], sent: readonly (Buffer | Uint8Array)[]): void {
  assert.equal(records.length, sent.length, 'one output per value');
  for (const [offset, record] of records.entries()) {
    const value = sent[offset] as Uint8Array;
    assert.equal(record.offset, offset);
    assert.ok(record.kind === 'output', `offset ${offset} is an output`);
    const back = record.value;
    assert.ok(back instanceof Uint8Array, `offset ${offset}: binary back`);
    assert.equal(Buffer.isBuffer(back), Buffer.isBuffer(value), `offset ${offset}: a ${value.constructor.name} comes back one`);
    assert.equal(back.constructor, value.constructor, `offset ${offset}: ${back.constructor.name} for ${value.constructor.name}`);
    assert.equal(back.byteLength, value.byteLength, `offset ${offset}: its length`);
    assert.ok(Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(value), `offset ${offset}: its bytes`);
  }
}

test('Buffers and Uint8Arrays in the ring come back as the same class with the same bytes', async (t) => {
  const values = [0, 1, 7, 64, 1000].flatMap((length, i) => binaries(length, i));
  assertSameBinaries(await echo(t, 2 ** 20, 4, values), values);
});

test('Buffers and Uint8Arrays too large for the ring (postMessage) come back as the same class with the same bytes', async (t) => {
  // ringBytes 4096: 1008 bytes is the largest value a record holds.
  const values = [1008, 1009, 4096, 70_000].flatMap((length, i) => binaries(length, i));
  assertSameBinaries(await echo(t, 4096, 4, values), values);
});

test('Buffers and Uint8Arrays sent while the ring is full (postMessage) come back as the same class with the same bytes', async (t) => {
  // Each fits the 4096-byte ring alone; four fill it. 32 slots filled in one
  // turn leave the later ones no room: they go by postMessage.
  const values = Array.from({ length: 96 }, (_, i) => binaries(900, i)[i % 4] as Buffer | Uint8Array);
  assertSameBinaries(await echo(t, 4096, 32, values), values);
});

test('Buffers and Uint8Arrays over the task transport come back as the same class with the same bytes', async (t) => {
  const values = [0, 1, 7, 64, 1000, 70_000].flatMap((length, i) => binaries(length, i));
  assertSameBinaries(await echo(t, 2 ** 20, 4, values, 'task'), values);
});
