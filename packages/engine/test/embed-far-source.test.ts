import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { test } from 'node:test';
import { connectEngine, exposeEngine, InvalidOptionError } from '../src/embed/index.js';
import type { EngineRecord } from '../src/index.js';
import { within } from './helpers/wait.js';

const served = new URL('./fixtures/embed/', import.meta.url);

async function connect(options: Record<string, unknown>) {
  const { port1, port2 } = new MessageChannel();
  const exposed = exposeEngine(port2, { transforms: served });
  const engine = await connectEngine(port1, { transform: 'triple.mjs', threads: 1, ...options });
  return { engine, exposed, port1 };
}

async function all<T>(records: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const record of records) out.push(record);
  return out;
}

test('a far-side module source is read on the far side, named relative to the served folder', async () => {
  const { engine } = await connect({});
  try {
    const records = await all(engine.process({ module: 'numbers.mjs', args: { from: 5, to: 105 } }));
    assert.equal(records.length, 100);
    const values = records.map((r) => (r.kind === 'output' ? r.value : undefined)).sort((a, b) => Number(a) - Number(b));
    assert.deepEqual(values, Array.from({ length: 100 }, (_, i) => (i + 5) * 3));
  } finally {
    await engine.close();
  }
});

test('a far-side NDJSON file is read as ndjsonSource reads it: a malformed line is a failed record in its place', async () => {
  const { engine } = await connect({});
  try {
    const records: EngineRecord[] = (await all(engine.process({ ndjson: 'lines.ndjson' }))).sort((a, b) => a.offset - b.offset);
    assert.deepEqual(
      records.map((r) => [r.offset, r.kind, r.kind === 'output' ? r.value : r.error.code]),
      [
        [0, 'output', 3],
        [1, 'output', 6],
        [2, 'failed', 'ERR_TIDEMARK_MALFORMED_INPUT'],
        [3, 'output', 12],
      ],
    );
  } finally {
    await engine.close();
  }
});

test('nothing outside the served folder can be named: not by a relative path, an absolute path or a URL', async () => {
  for (const transform of ['../double.js', '/etc/passwd', 'file:///etc/passwd', 'data:text/javascript,export default () => 1', 'missing.mjs']) {
    await assert.rejects(connect({ transform }), (error: unknown) => {
      assert.ok(error instanceof InvalidOptionError, `${transform}: ${String(error)}`);
      assert.equal(error.option, 'transform');
      assert.equal(error.received, transform);
      return true;
    });
  }
  const { engine } = await connect({});
  try {
    await assert.rejects(engine.process({ ndjson: '../../package.json' }).next(), (error: unknown) => {
      assert.ok(error instanceof InvalidOptionError);
      assert.equal(error.option, 'source.ndjson');
      return true;
    });
    await assert.rejects(engine.process({ module: '../fixtures/double.js' }).next(), InvalidOptionError);
    // The engine still runs after a refused source.
    assert.equal((await all(engine.process([{ value: 1 }]))).length, 1);
  } finally {
    await engine.close();
  }
});

test('a message that is not a call of a served method closes the connection; nothing reaches the object graph', async () => {
  const { port1, port2 } = new MessageChannel();
  const exposed = exposeEngine(port2, { transforms: served });
  port1.postMessage({ id: 'x', type: 'SET', path: ['__proto__', 'polluted'], value: { type: 'RAW', value: 1 } });
  assert.match(await within(exposed.closed, 'the connection to close'), /malformed message: a SET message/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  port1.close();

  const second = new MessageChannel();
  const other = exposeEngine(second.port2, { transforms: served });
  second.port1.postMessage({ id: 'y', type: 'APPLY', path: ['constructor'], argumentList: [] });
  assert.match(await within(other.closed, 'the connection to close'), /no served method/);
  second.port1.close();
});
