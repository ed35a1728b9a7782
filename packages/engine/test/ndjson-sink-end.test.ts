import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import { NdjsonSink } from '../src/index.js';
import type { EngineRecord } from '../src/index.js';
import { tempDir } from './helpers/cli.js';
import { within } from './helpers/wait.js';

// NdjsonSink's end() and write() settle whatever state the stream is in:
// end() twice, end() on a stream already ended or destroyed, write() after
// end() (what an API user hit: each of these hung forever).

const record: EngineRecord = { kind: 'output', offset: 0, key: undefined, eventTime: 0, value: 1 };

test('end() twice: both resolve, and the file holds what was written once', async (t) => {
  const dir = await tempDir(t, 'tidemark-sink-');
  const path = join(dir, 'out.ndjson');
  const sink = new NdjsonSink(createWriteStream(path));
  await sink.write(record);
  await within(sink.end(), 'the first end()');
  await within(sink.end(), 'the second end()');
  assert.equal(await readFile(path, 'utf8'), '{"kind":"output","offset":0,"eventTime":0,"value":1}\n');
});

test('end() twice at once: both resolve', async () => {
  const out = new PassThrough().resume();
  const sink = new NdjsonSink(out);
  await within(Promise.all([sink.end(), sink.end()]), 'two end() calls');
});

test('end() on a stream already ended (and finished) resolves', async () => {
  const out = new PassThrough().resume();
  out.end();
  await once(out, 'finish');
  await within(new NdjsonSink(out).end(), 'end() on a finished stream');
});

test('end() on a stream ended but not finished yet resolves once it finishes', async () => {
  let finish: (() => void) | undefined;
  const out = new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
    final(done) {
      finish = done;
    },
  });
  out.end();
  const ended = new NdjsonSink(out).end();
  assert.ok(finish !== undefined, 'the stream is finishing');
  finish();
  await within(ended, 'end() on a finishing stream');
});

test('end() on a destroyed stream rejects, saying so', async () => {
  const out = new PassThrough();
  out.destroy();
  await within(
    assert.rejects(new NdjsonSink(out).end(), (error: NodeJS.ErrnoException) => error.code === 'ERR_STREAM_PREMATURE_CLOSE'),
    'end() on a destroyed stream',
  );
});

test('end() on a stream destroyed with an error rejects with that error', async () => {
  const out = new PassThrough();
  out.on('error', () => {});
  out.destroy(new Error('disk gone'));
  await within(assert.rejects(new NdjsonSink(out).end(), /disk gone/), 'end() on a failed stream');
});

test('write() after end() throws an error that says so', async () => {
  const sink = new NdjsonSink(new PassThrough().resume());
  await sink.end();
  assert.throws(
    () => sink.write(record),
    (error: NodeJS.ErrnoException) => error.code === 'ERR_STREAM_WRITE_AFTER_END' && /write\(\) after end\(\)/.test(error.message),
  );
});

test('write() on a stream ended before the sink was made throws the same error', async () => {
  const out = new PassThrough().resume();
  out.end();
  assert.throws(() => new NdjsonSink(out).write(record), { code: 'ERR_STREAM_WRITE_AFTER_END' });
});

test('a write waiting for drain rejects when the stream is destroyed instead', async () => {
  // Takes one chunk and never finishes it: the second write waits for a drain that never comes.
  const out = new Writable({ highWaterMark: 1, write() {} });
  const sink = new NdjsonSink(out);
  const waiting = sink.write(record);
  assert.ok(waiting !== undefined, 'the stream is full: the write waits for drain');
  out.destroy();
  await within(assert.rejects(waiting, { code: 'ERR_STREAM_PREMATURE_CLOSE' }), 'the waiting write');
});
