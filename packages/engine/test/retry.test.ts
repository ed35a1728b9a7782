import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, TransformError } from '../src/index.js';
import type { EngineRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';

async function collect(engine: Engine, values: unknown[]): Promise<EngineRecord[]> {
  const records: EngineRecord[] = [];
  for await (const record of engine.process(values.map((value) => ({ value })))) records.push(record);
  return records.sort((a, b) => a.offset - b.offset);
}

forEachTransport((transport) => {
  test('a throwing transform is retried until it succeeds within retry.attempts', async (t) => {
    const engine = new Engine({
      transport,
      transform: fixture('flaky.js'),
      threads: 2,
      retry: { attempts: 3, backoff: { initial: 0, max: 0 } },
    });
    t.after(() => engine.close());
    const records = await collect(engine, [{ op: 'fail-until', n: 2 }, { op: 'fail-until', n: 0 }]);
    assert.deepEqual(
      records.map((r) => (r.kind === 'output' ? r.value : r.kind)),
      [3, 1],
    );
    assert.equal(engine.stats?.retried, 2);
  });

  test('a message that fails every try becomes a failed record and the run goes on', async (t) => {
    const engine = new Engine({
      transport,
      transform: fixture('flaky.js'),
      threads: 2,
      retry: { attempts: 2, backoff: { initial: 1, max: 2 } },
    });
    t.after(() => engine.close());
    const records = await collect(engine, [{ op: 'always-fail' }, { op: 'pass' }, { op: 'throw-string' }, { op: 'pass' }]);
    assert.equal(records.length, 4);
    const [failed, ok, plain, ok2] = records;
    assert.equal(ok?.kind, 'output');
    assert.equal(ok2?.kind, 'output');
    assert.ok(failed?.kind === 'failed');
    assert.ok(failed.error instanceof TransformError);
    assert.equal(failed.error.code, 'ERR_TIDEMARK_TRANSFORM');
    assert.equal(failed.error.errorName, 'TypeError');
    assert.equal(failed.error.errorCode, 'E_ALWAYS');
    assert.equal(failed.error.message, 'always fails');
    assert.match(failed.error.stack ?? '', /flaky\.js/);
    assert.equal(failed.attempts, 2);
    assert.deepEqual(failed.input, { op: 'always-fail' });
    assert.ok(plain?.kind === 'failed');
    assert.equal(plain.error.message, 'a plain string');
    assert.equal(engine.stats?.failed, 2);
  });

  test('retry.attempts 1 means no retry', async (t) => {
    const engine = new Engine({ transport, transform: fixture('flaky.js'), threads: 1, retry: { attempts: 1 } });
    t.after(() => engine.close());
    const [record] = await collect(engine, [{ op: 'fail-until', n: 1 }]);
    assert.equal(record?.kind, 'failed');
    assert.equal(record?.kind === 'failed' && record.attempts, 1);
  });
});
