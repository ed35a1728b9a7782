import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { NdjsonSink, TransformError } from '../src/index.js';
import type { EngineRecord, FailedRecord } from '../src/index.js';

// What a transform returns reaches the main thread by structured clone, which
// copies a BigInt or a circular object; JSON cannot encode either. Such a
// record is written by NdjsonSink as a failed record in its place
// (`UnwritableOutputError`), and the sink goes on with the next one: nothing
// lost, no exception out of write(). What JSON.stringify writes for a Map, a
// Set or undefined (`{}`, `{}`, nothing) is written as it writes it.

/** A stream that keeps what is written to it. */
function collecting(): { out: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { out, lines: () => text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

const output = (offset: number, value: unknown): EngineRecord => ({ kind: 'output', offset, key: `k${offset}`, eventTime: 1000 + offset, value });

function circular(): unknown {
  const value: Record<string, unknown> = { a: 1 };
  value['self'] = value;
  return value;
}

test('an output JSON cannot encode (a BigInt, a circular object) is written as a failed record in its place; the sink goes on', async () => {
  const { out, lines } = collecting();
  const sink = new NdjsonSink(out);
  const records = [
    output(0, { n: 1 }),
    output(1, { n: 10n }),
    output(2, circular()),
    output(3, new Map([[1, 2]])),
    output(4, new Set([1])),
    output(5, undefined),
    output(6, 'last'),
  ];
  for (const record of records) await sink.write(record);
  await sink.end();

  const written = lines();
  assert.deepEqual(
    written.map((line) => [line['kind'], line['offset']]),
    records.map((record) => [[1, 2].includes(record.offset) ? 'failed' : 'output', record.offset]),
    'a line per record, in order',
  );
  for (const [offset, reason] of [
    [1, /BigInt/],
    [2, /circular/],
  ] as const) {
    const line = written[offset] as { key: string; eventTime: number; attempts: number; error: Record<string, string>; input?: unknown };
    assert.equal(line.key, `k${offset}`);
    assert.equal(line.eventTime, 1000 + offset);
    assert.equal(line.attempts, 0, 'no try failed: the output was made, and could not be written');
    assert.equal(line.error['name'], 'UnwritableOutputError');
    assert.equal(line.error['code'], 'ERR_TIDEMARK_UNWRITABLE_OUTPUT');
    assert.match(line.error['message'] ?? '', reason);
    assert.match(line.error['message'] ?? '', /^the output .* cannot be written as JSON/);
    assert.doesNotMatch(line.error['message'] ?? '', /\n/, 'one line');
    assert.equal('input' in line, false, 'no input: the sink has only the output');
  }
  assert.match((written[1] as { error: { message: string } }).error.message, /10n/, 'the message shows the output');
  assert.deepEqual(written[3]?.['value'], {}, 'a Map as JSON.stringify writes it');
  assert.deepEqual(written[4]?.['value'], {}, 'a Set as JSON.stringify writes it');
  assert.equal('value' in (written[5] ?? {}), false, 'an undefined value is left out, as JSON.stringify does');
  assert.equal(sink.written, records.length);
  assert.equal(sink.unwritable, 2, 'the sink counts the records it could not write as they were');
});

test('a failed record whose input JSON cannot encode is written as an UnwritableOutputError naming the error it had', async () => {
  const { out, lines } = collecting();
  const sink = new NdjsonSink(out);
  const failed: FailedRecord = {
    kind: 'failed',
    offset: 7,
    key: undefined,
    eventTime: 5,
    input: { id: 1n },
    attempts: 3,
    error: new TransformError({ name: 'RangeError', message: 'too far', code: undefined, stack: undefined }),
  };
  await sink.write(failed);
  await sink.end();
  const [line] = lines() as [{ kind: string; offset: number; attempts: number; error: Record<string, string> }];
  assert.equal(line.kind, 'failed');
  assert.equal(line.offset, 7);
  assert.equal(line.attempts, 3);
  assert.equal(line.error['code'], 'ERR_TIDEMARK_UNWRITABLE_OUTPUT');
  assert.match(line.error['message'] ?? '', /BigInt.*ERR_TIDEMARK_TRANSFORM: too far/);
});

test('with `deadLetter`, the failed record made for an unwritable output goes there, not into the stream', async () => {
  const { out, lines } = collecting();
  const dead: FailedRecord[] = [];
  const sink = new NdjsonSink(out, { deadLetter: (record) => void dead.push(record) });
  await sink.write(output(0, 'a'));
  await sink.write(output(1, { n: 1n }));
  await sink.write(output(2, 'c'));
  await sink.end();
  assert.deepEqual(
    lines().map((line) => line['offset']),
    [0, 2],
  );
  assert.equal(dead.length, 1);
  assert.equal(dead[0]?.offset, 1);
  assert.equal(dead[0]?.error.code, 'ERR_TIDEMARK_UNWRITABLE_OUTPUT');
  assert.equal(sink.unwritable, 1);
});
