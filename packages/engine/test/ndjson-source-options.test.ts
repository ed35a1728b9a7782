import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { Engine, InvalidOptionError, ndjsonSource } from '../src/index.js';
import type { NdjsonPositions, NdjsonSourceOptions } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { within } from './helpers/wait.js';

// ndjsonSource checks its input and options when it is called (not at the
// first record, long after): a bad one throws InvalidOptionError naming it.
// An input that yields anything but bytes or text fails with an error that
// says so, not a TypeError from inside the line splitter.

const text = (value: string) => Readable.from([Buffer.from(value)]);

test('ndjsonSource refuses a bad `from` or `maxRecordBytes` when it is called, naming the option', () => {
  const rows: [keyof NdjsonSourceOptions, unknown][] = [
    ['from', -1],
    ['from', Number.NaN],
    ['from', 1.5],
    ['from', '2'],
    ['from', Number.POSITIVE_INFINITY],
    ['maxRecordBytes', 0],
    ['maxRecordBytes', -5],
    ['maxRecordBytes', Number.NaN],
    ['maxRecordBytes', 2.5],
    ['maxRecordBytes', '100'],
  ];
  for (const [option, value] of rows) {
    const options: Record<string, unknown> = { [option]: value }; // as from JavaScript, where no type stops it
    assert.throws(
      () => ndjsonSource(text('{"value":1}\n'), options),
      (error: unknown) => error instanceof InvalidOptionError && error.option === option && Object.is(error.received, value),
      `${option}: ${String(value)}`,
    );
  }
});

test('ndjsonSource refuses an input that is not a readable stream, and bad `positions`, when it is called', () => {
  for (const [name, input] of [
    ['null', null],
    ['undefined', undefined],
    ['a string', '{"value":1}\n'],
    ['an object', {}],
    ['a number', 42],
  ] as const) {
    assert.throws(
      () => ndjsonSource(input as unknown as Readable),
      (error: unknown) => error instanceof InvalidOptionError && error.option === 'input' && /readable stream/.test(error.message),
      name,
    );
  }
  assert.throws(
    () => ndjsonSource(text(''), { positions: {} as NdjsonPositions }),
    (error: unknown) => error instanceof InvalidOptionError && error.option === 'positions',
  );
});

test('ndjsonSource takes the options it documents', async () => {
  const records = [];
  for await (const record of ndjsonSource(text('{"value":1}\n{"value":2}\n'), { from: 1, maxRecordBytes: 100 })) records.push(record);
  assert.deepEqual(records, [{ value: 2, offset: 1, bytes: 11 }]);
});

test('an object-mode input of objects fails with an error that names the input and what it yielded', async () => {
  const source = ndjsonSource(Readable.from([{ value: 1 }]));
  await assert.rejects(
    source.next(),
    (error: unknown) =>
      error instanceof InvalidOptionError && error.option === 'input' && /Buffers.*strings/.test(error.message) && /object/.test(error.message),
  );
});

test('an object-mode input of strings is read as text', async () => {
  const records = [];
  for await (const record of ndjsonSource(Readable.from(['{"value":1}\n{"val', 'ue":2}\n']))) records.push(record.value);
  assert.deepEqual(records, [1, 2]);
});

test('the engine reading an object-mode input of objects stops with that error', async (t) => {
  const engine = new Engine({ transform: fixture('identity.js'), threads: 1 });
  t.after(() => within(engine.close(), 'the engine to close'));
  const run = async () => {
    for await (const record of engine.process(ndjsonSource(Readable.from([{ value: 1 }])))) void record;
  };
  await within(
    assert.rejects(run(), (error: unknown) => error instanceof InvalidOptionError && error.option === 'input'),
    'the run to fail',
  );
});

test('a UTF-8 byte-order mark at the start of the input is skipped; line 0 still spans it', async () => {
  const bytes = Buffer.from('\uFEFF{"value":1}\n{"value":2}\n');
  // One byte a chunk: the mark split over three chunks too.
  for (const chunks of [[bytes], Array.from(bytes, (byte) => Buffer.from([byte]))]) {
    const calls: string[] = [];
    const positions = { record: (offset: number, start: number) => calls.push(`record ${offset} @${start}`), passed: (end: number) => calls.push(`passed ${end}`) };
    const records = [];
    for await (const record of ndjsonSource(Readable.from(chunks), { positions })) records.push(record);
    assert.deepEqual(records, [
      { value: 1, offset: 0, bytes: 11 },
      { value: 2, offset: 1, bytes: 11 },
    ]);
    assert.deepEqual(calls, ['record 0 @0', 'passed 15', 'record 1 @15', 'passed 27'], 'the mark counted in the first line\'s bytes');
  }
  // Only at the start: a mark later is part of its line.
  const later = [];
  for await (const record of ndjsonSource(text('{"value":1}\n\uFEFF{"value":2}\n'))) later.push(record.error?.name ?? 'ok');
  assert.deepEqual(later, ['ok', 'MalformedInputError']);
});
