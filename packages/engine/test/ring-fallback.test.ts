import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessagePort } from 'node:worker_threads';
import type { TestContext } from 'node:test';
import { Engine } from '../src/index.js';
import type { EngineOptions, EngineRecord, SourceRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { within } from './helpers/wait.js';

// Ring-only: the ring transport copies a value into its worker's ring when
// the record fits (a quarter of `ringBytes`, less its 8-byte header) and the
// ring has room, and sends it by `postMessage` otherwise. The task transport
// has no ring: it posts every message, so there is no fallback to test there.
//
// With `ringBytes: 4096` a record may take 4096 / 4 - 8 = 1016 bytes: a value
// of 1008 bytes (after the 8-byte header) is the largest that goes by ring,
// in either direction; with the default 1 MiB ring it is 262,128 bytes.

const pattern = (length: number, seed = 0): Uint8Array => {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7 + seed) & 255;
  return bytes;
};

/** Values of `length` bytes as a string, a Buffer, a Uint8Array, and an object (v8-serialized). */
const valuesOf = (length: number): unknown[] => [
  'x'.repeat(length),
  Buffer.from(pattern(length, 1)),
  pattern(length, 2),
  { length, text: 'y'.repeat(length) },
];

async function run(
  t: TestContext,
  options: Omit<EngineOptions, 'transform'>,
  source: SourceRecord[],
  transform = 'identity.js',
): Promise<EngineRecord[]> {
  const engine = new Engine({ transport: 'ring', transform: fixture(transform), threads: 1, ...options });
  t.after(() => within(engine.close(), 'the engine to close'));
  const records: EngineRecord[] = [];
  await within(
    (async () => {
      for await (const record of engine.process(source)) records.push(record);
    })(),
    `${source.length} messages through the ring transport`,
  );
  return records.sort((a, b) => a.offset - b.offset);
}

/** Every message came back once, as an output equal to its input (class included). */
function assertEcho(records: readonly EngineRecord[], source: readonly SourceRecord[]): void {
  assert.deepEqual(
    records.map((record) => [record.offset, record.kind]),
    source.map((_, offset) => [offset, 'output']),
    'one output per message',
  );
  for (const record of records) {
    const sent = source[record.offset] as SourceRecord;
    assert.ok(record.kind === 'output');
    assert.deepEqual(record.value, sent.value, `offset ${record.offset}: the value came back intact`);
    assert.equal(record.key, sent.key, `offset ${record.offset}: its key`);
  }
}

test('ringBytes 4096: values around and over ringBytes / 4 go by postMessage and come back intact, both ways', async (t) => {
  const lengths = [0, 1, 1007, 1008, 1009, 1016, 1017, 4095, 4096, 4097, 65_536];
  const source: SourceRecord[] = lengths.flatMap((length) => valuesOf(length).map((value) => ({ value })));
  // UTF-8: 505 two-byte characters are 1010 bytes, over the limit in bytes though not in characters.
  source.push({ value: 'é'.repeat(505) }, { value: 'é'.repeat(504) }, { value: '🌊'.repeat(300) });
  // The key travels in the input record too: 8 + 10 + 1000 bytes are over 1016.
  source.push({ value: 'z'.repeat(1000), key: 'k'.repeat(10) }, { value: 'z'.repeat(990), key: 'k'.repeat(10) });
  assertEcho(await run(t, { ringBytes: 4096, concurrency: 4 }, source), source);
});

test('default ringBytes (1 MiB): values over 262,128 bytes, and larger than the whole ring, go by postMessage', async (t) => {
  const lengths = [262_128, 262_129, 300_000, 2 ** 20 + 1];
  const source: SourceRecord[] = lengths.flatMap((length) => valuesOf(length).map((value) => ({ value })));
  assertEcho(await run(t, { concurrency: 4 }, source), source);
});

test('a full input ring: messages sent while it has no room go by postMessage and come back intact', async (t) => {
  // Records of 1000 bytes fit the 4096-byte ring one by one, but only four
  // at once. A sync source fills the 32 slots in one turn, before the worker
  // can read anything, so the fifth message on finds the ring full.
  const source: SourceRecord[] = Array.from({ length: 200 }, (_, i) => {
    const kind = i % 3;
    if (kind === 0) return { value: Buffer.from(pattern(1000, i)) };
    if (kind === 1) return { value: pattern(1000, i) };
    return { value: String(i).padStart(1000, '-') };
  });
  assertEcho(await run(t, { ringBytes: 4096, concurrency: 32 }, source), source);
});

test('outputs over ringBytes / 4 made in the worker come back by postMessage, intact', async (t) => {
  const lengths = [1008, 1009, 4096, 100_000];
  const kinds = ['buffer', 'bytes', 'string'] as const;
  const source: SourceRecord[] = lengths.flatMap((length) => kinds.map((kind) => ({ value: { kind, length } })));
  const records = await run(t, { ringBytes: 4096, concurrency: 4 }, source, 'expand.js');
  assert.equal(records.length, source.length);
  for (const record of records) {
    assert.ok(record.kind === 'output', `offset ${record.offset} is an output`);
    const { kind, length } = (source[record.offset] as { value: { kind: (typeof kinds)[number]; length: number } }).value;
    const expected =
      kind === 'string'
        ? Array.from({ length }, (_, i) => String.fromCharCode(97 + (i % 26))).join('')
        : kind === 'buffer'
          ? Buffer.from(pattern(length))
          : pattern(length);
    assert.deepEqual(record.value, expected, `offset ${record.offset}: a ${kind} of ${length} bytes`);
  }
});

test('ringBytes 4096, one message at a time: a value goes by postMessage exactly when its record is over ringBytes / 4', async (t) => {
  // One message in flight, so the ring is empty at each send and only the
  // record's size decides its path. The engine's posts to its workers are
  // counted where they leave (MessagePort.prototype.postMessage on this
  // thread), by the payload size each carries.
  const posted: number[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- restored below; called with .call(this)
  const post = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function (this: MessagePort, message: unknown, ...rest: unknown[]) {
    const record = message as { slot?: unknown; payload?: unknown };
    if (typeof record?.slot === 'number' && record.payload instanceof ArrayBuffer) posted.push(record.payload.byteLength);
    return (post as (...args: unknown[]) => void).call(this, message, ...rest);
  } as typeof MessagePort.prototype.postMessage;
  t.after(() => {
    MessagePort.prototype.postMessage = post;
  });
  const lengths = [0, 1, 1007, 1008, 1009, 1016, 4096];
  const source: SourceRecord[] = lengths.flatMap((length) => [
    { value: 'x'.repeat(length) },
    { value: Buffer.from(pattern(length)) },
    { value: pattern(length) },
  ]);
  source.push({ value: 'é'.repeat(504) }, { value: 'é'.repeat(505) }, { value: 'z'.repeat(998), key: 'kk' }, { value: 'z'.repeat(999), key: 'kk' });
  assertEcho(await run(t, { ringBytes: 4096, concurrency: 1 }, source), source);
  // A record is the 8-byte header, the key's bytes and the value's: at most 1016.
  const expected = source
    .map(({ value, key }) => ({ size: typeof value === 'string' ? Buffer.byteLength(value) : (value as Uint8Array).byteLength, key: Buffer.byteLength(key ?? '') }))
    .filter(({ size, key }) => 8 + key + size > 1016)
    .map(({ size }) => size);
  assert.deepEqual(posted, expected, 'the values posted, by size, in order');
});
