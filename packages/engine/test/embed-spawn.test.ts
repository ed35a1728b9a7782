import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnEngine } from '../src/embed/index.js';
import { EngineBusyError, EngineClosedError, InvalidOptionError, TidemarkError, TransformError, TransformLoadError } from '../src/index.js';
import type { EngineRecord } from '../src/index.js';
import { within } from './helpers/wait.js';

const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);

test('spawnEngine: every message comes back once, failed records keep their class, events as in-process', async () => {
  const engine = await within(spawnEngine({ transform: fixture('cli-throw-odd.js'), threads: 2, concurrency: 16 }), 'the engine thread to start');
  try {
    const marks: number[] = [];
    let acks = 0;
    engine.on('watermark', (w) => marks.push(w));
    engine.on('ack', () => acks++);
    const n = 3000;
    const seen = new Map<number, EngineRecord>();
    for await (const record of engine.process(Array.from({ length: n }, (_, i) => ({ value: i, eventTime: i })))) {
      assert.equal(seen.has(record.offset), false, `offset ${record.offset} came back twice`);
      seen.set(record.offset, record);
    }
    assert.equal(seen.size, n);
    for (const [offset, record] of seen) {
      if (offset % 2 === 0) {
        assert.equal(record.kind, 'output');
        assert.equal(record.kind === 'output' && record.value, offset);
      } else {
        assert.equal(record.kind, 'failed');
        if (record.kind !== 'failed') continue;
        assert.ok(record.error instanceof TransformError, 'a failed record keeps its error class');
        assert.ok(record.error instanceof TidemarkError);
        assert.equal(record.error.code, 'ERR_TIDEMARK_TRANSFORM');
        assert.equal(record.error.errorName, 'RangeError');
        assert.equal(record.error.errorCode, 'E_ODD');
        assert.equal(record.error.message, `${offset} is odd`);
        assert.equal(record.input, offset);
      }
    }
    assert.equal(acks, n, 'one ack event per message');
    for (let i = 1; i < marks.length; i++) assert.ok(marks[i]! > marks[i - 1]!, 'watermark events only rise');
    assert.equal(marks.at(-1), n - 1, 'the last watermark is the last event time');
    assert.equal(engine.stats?.acked, n);
    assert.equal(engine.stats?.failed, n / 2);
    assert.equal(engine.watermark, n - 1);
    assert.equal(engine.inFlight, 0);
    assert.equal(engine.committedOffset, n);
  } finally {
    await engine.close();
  }
});

test('spawnEngine: a bad option is an InvalidOptionError with its option and received value', async () => {
  const error = await spawnEngine({ transform: fixture('double.js'), concurrency: 0 }).then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof InvalidOptionError);
  assert.equal(error.code, 'ERR_TIDEMARK_INVALID_OPTION');
  assert.equal(error.option, 'concurrency');
  assert.equal(error.received, 0);
  assert.match(error.message, /concurrency/);
});

test('spawnEngine: a registry or a function cannot cross, and says so as an InvalidOptionError', async () => {
  const error = await spawnEngine({ transform: fixture('double.js'), execArgv: [() => 1] as unknown as string[] }).then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof InvalidOptionError);
  assert.equal(error.option, 'options');
});

test('spawnEngine: a module that throws at load rejects the first next() with TransformLoadError', async () => {
  const engine = await spawnEngine({ transform: fixture('cli-throw-at-load.js'), threads: 1 });
  try {
    await assert.rejects(engine.process([{ value: 1 }]).next(), (error: unknown) => {
      assert.ok(error instanceof TransformLoadError);
      assert.equal(error.code, 'ERR_TIDEMARK_TRANSFORM_LOAD');
      assert.match(error.message, /cannot read config\.json/);
      return true;
    });
  } finally {
    await engine.close();
  }
});

test('spawnEngine: one run at a time, nothing after close', async () => {
  const engine = await spawnEngine({ transform: fixture('double.js'), threads: 1 });
  const first = engine.process([{ value: 1 }, { value: 2 }]);
  assert.throws(() => engine.process([{ value: 3 }]), EngineBusyError);
  const values: unknown[] = [];
  for await (const record of first) if (record.kind === 'output') values.push(record.value);
  assert.deepEqual(values.sort(), [2, 4]);
  // The same engine runs again, then closes.
  const again: unknown[] = [];
  for await (const record of engine.process([{ value: 5 }])) if (record.kind === 'output') again.push(record.value);
  assert.deepEqual(again, [10]);
  // A run returned before its first next() gives the engine back.
  const unused = engine.process([{ value: 6 }]);
  assert.throws(() => engine.process([{ value: 7 }]), EngineBusyError);
  await unused.return();
  const third: unknown[] = [];
  for await (const record of engine.process([{ value: 8 }])) if (record.kind === 'output') third.push(record.value);
  assert.deepEqual(third, [16]);
  await engine.close();
  await engine.close();
  assert.throws(() => engine.process([{ value: 1 }]), EngineClosedError);
});

test('spawnEngine: a source that throws ends the run with its own error, after what was read', async () => {
  const engine = await spawnEngine({ transform: fixture('double.js'), threads: 1 });
  try {
    const boom = new SyntaxError('source broke');
    async function* source() {
      for (let i = 0; i < 100; i++) yield { value: i };
      throw boom;
    }
    const offsets: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const record of engine.process(source())) offsets.push(record.offset);
      })(),
      (error: unknown) => error === boom,
    );
    assert.deepEqual(offsets.sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  } finally {
    await engine.close();
  }
});

test('spawnEngine: processChunks hands over chunks of at most `size` messages, arrays of the source read as chunks', async () => {
  const engine = await spawnEngine({ transform: fixture('double.js'), threads: 2, concurrency: 64 });
  try {
    const source = Array.from({ length: 50 }, (_, c) => Array.from({ length: 20 }, (_, i) => ({ value: c * 20 + i })));
    let count = 0;
    for await (const chunk of engine.processChunks(source, { size: 7 })) {
      assert.ok(chunk.length >= 1 && chunk.length <= 7, `a chunk of ${chunk.length} records`);
      count += chunk.length;
    }
    assert.equal(count, 1000);
    // In process(), an array item is one invalid record, as in-process.
    const records: EngineRecord[] = [];
    for await (const record of engine.process([{ value: 1 }, [{ value: 2 }] as never])) records.push(record);
    const failed = records.find((r) => r.kind === 'failed');
    assert.equal(failed?.kind, 'failed');
    assert.equal(failed?.kind === 'failed' && failed.error.code, 'ERR_TIDEMARK_INVALID_MESSAGE');
  } finally {
    await engine.close();
  }
});
