import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, InvalidMessageError, InvalidOptionError, TransformLoadError } from '../src/index.js';
import type { SourceRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';

forEachTransport((transport) => {
  test('a source item that is not a message becomes a failed record and the run goes on', async (t) => {
    const engine = new Engine({ transport, transform: fixture('echo.js'), threads: 1, ordering: 'ordered' });
    t.after(() => engine.close());
    const source = [{ value: 1 }, 42, { value: 2, eventTime: Number.NaN }, { nothing: true }, { value: 3, key: 9 }, { value: 4 }];
    const kinds = [];
    for await (const record of engine.process(source as unknown as SourceRecord[])) {
      kinds.push(record.kind);
      if (record.kind === 'failed') {
        assert.ok(record.error instanceof InvalidMessageError);
        assert.equal(record.attempts, 0);
      }
    }
    assert.deepEqual(kinds, ['output', 'failed', 'failed', 'failed', 'failed', 'output']);
  });

  test('offsets default to the arrival number; a source that is not iterable is an option error', async (t) => {
    const engine = new Engine({ transport, transform: fixture('echo.js'), threads: 1, ordering: 'ordered' });
    t.after(() => engine.close());
    const offsets = [];
    for await (const record of engine.process([{ value: 'a' }, { value: 'b', offset: 10 }, { value: 'c' }])) offsets.push(record.offset);
    assert.deepEqual(offsets, [0, 10, 2]);
    assert.throws(() => engine.process(5 as unknown as SourceRecord[]), InvalidOptionError);
  });

  test('a module without a default export function fails the run with TransformLoadError', async (t) => {
    const engine = new Engine({ transport, transform: fixture('no-default.js'), threads: 1 });
    t.after(() => engine.close());
    await assert.rejects(engine.process([{ value: 1 }]).next(), (error: unknown) => {
      assert.ok(error instanceof TransformLoadError);
      assert.equal(error.code, 'ERR_TIDEMARK_TRANSFORM_LOAD');
      assert.match(error.message, /default export function/);
      return true;
    });
  });

  test('a source that throws ends the run with its error after in-flight work is handed over', async (t) => {
    const engine = new Engine({ transport, transform: fixture('echo.js'), threads: 1 });
    t.after(() => engine.close());
    async function* broken() {
      yield { value: 1 };
      throw new Error('source broke');
    }
    const seen: unknown[] = [];
    await assert.rejects(async () => {
      for await (const record of engine.process(broken())) seen.push(record.offset);
    }, /source broke/);
    assert.deepEqual(seen, [0]);
  });
});
