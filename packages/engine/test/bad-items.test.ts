import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, InvalidMessageError } from '../src/index.js';
import type { EngineOptions, EngineRecord, FailedRecord, SourceRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { recordsOf } from './helpers/wait.js';

// A source item that throws when the engine reads it (a getter, a Proxy
// trap, a revoked Proxy) is a bad item like any other: a failed record with
// InvalidMessageError naming what threw, and the run goes on with the next.

function boom(what: string): Error {
  return Object.assign(new Error(`${what} exploded`), { code: 'E_BOOM' });
}

/** `{ value: n }` with `field`'s getter throwing. */
function throwingGetter(field: string, n: number): SourceRecord {
  return Object.defineProperty({ value: n }, field, {
    enumerable: true,
    get() {
      throw boom(`the ${field} getter`);
    },
  });
}

/** A Proxy over `{ value: n }` whose `trap` throws. */
function throwingTrap(trap: keyof ProxyHandler<object>, n: number): SourceRecord {
  return new Proxy({ value: n }, {
    [trap]() {
      throw boom(`the ${trap} trap`);
    },
  });
}

function revoked(n: number): SourceRecord {
  const { proxy, revoke } = Proxy.revocable({ value: n }, {});
  revoke();
  return proxy;
}


function failed(records: readonly EngineRecord[]): FailedRecord[] {
  return records.filter((record): record is FailedRecord => record.kind === 'failed');
}

function outputs(records: readonly EngineRecord[]): unknown[] {
  return records.filter((record) => record.kind === 'output').map((record) => (record.value as { value: unknown }).value);
}

/** The failed record is an InvalidMessageError whose message matches `names`. */
function assertInvalid(record: FailedRecord | undefined, names: RegExp, title: string): void {
  assert.ok(record !== undefined, `${title}: no failed record`);
  assert.ok(record.error instanceof InvalidMessageError, `${title}: ${String(record.error)}`);
  assert.equal(record.error.code, 'ERR_TIDEMARK_INVALID_MESSAGE');
  assert.match(record.error.message, names, title);
  assert.equal(record.attempts, 0, `${title}: it never reached a worker`);
}

forEachTransport((transport) => {
  const engineFor = (t: { after: (fn: () => Promise<void>) => void }, extra: Partial<EngineOptions> = {}): Engine => {
    const engine = new Engine({ transport, transform: fixture('echo.js'), threads: 1, ordering: 'ordered', ...extra });
    t.after(() => engine.close());
    return engine;
  };

  test('[good, throwing value getter, good, throwing Proxy, good]: 3 outputs, 2 failed records at their offsets, the run ends', async (t) => {
    const engine = engineFor(t);
    const source = [{ value: 0 }, throwingGetter('value', 1), { value: 2 }, throwingTrap('get', 3), { value: 4 }];
    const records = await recordsOf(engine, source, 'the run over the bad items to end');
    assert.deepEqual(outputs(records), [0, 2, 4]);
    const bad = failed(records);
    assert.deepEqual(
      bad.map((record) => record.offset),
      [1, 3],
    );
    assertInvalid(bad[0], /`value`.*the value getter exploded/, 'value getter');
    assertInvalid(bad[1], /the get trap exploded/, 'get trap');
    assert.equal((bad[0]?.error.cause as Error | undefined)?.message, 'the value getter exploded', 'the thrown error is the cause');
    assert.equal(engine.stats?.failed, 2);
  });

  test('a getter of eventTime, key, offset, partition or bytes that throws fails that item only, naming the field', async (t) => {
    const engine = engineFor(t, { buffers: { input: { bytes: 1e9 } } });
    const fields = ['eventTime', 'key', 'offset', 'partition', 'bytes', 'error'];
    const source = [{ value: 'first' }, ...fields.map((field, i) => throwingGetter(field, i)), { value: 'last' }];
    const records = await recordsOf(engine, source, 'the run over the bad items to end');
    assert.deepEqual(outputs(records), ['first', 'last']);
    const bad = failed(records);
    assert.equal(bad.length, fields.length);
    fields.forEach((field, i) => {
      assertInvalid(bad[i], new RegExp(`\`${field}\`.*the ${field} getter exploded`), field);
      // Where it came from is kept when it can be read: the offset by arrival here.
      assert.equal(bad[i]?.offset, i + 1, `${field}: offset`);
    });
  });

  test('a Proxy whose has, get or getOwnPropertyDescriptor trap throws, and a revoked Proxy, are bad items', async (t) => {
    const engine = engineFor(t);
    const source = [
      { value: 'first' },
      throwingTrap('has', 1),
      throwingTrap('get', 2),
      revoked(3),
      // Not read by the engine's checks: a well-formed item.
      throwingTrap('getOwnPropertyDescriptor', 4),
      { value: 'last' },
    ];
    const records = await recordsOf(engine, source, 'the run over the bad items to end');
    const bad = failed(records);
    assertInvalid(bad[0], /the has trap exploded/, 'has trap');
    assertInvalid(bad[1], /the get trap exploded/, 'get trap');
    assertInvalid(bad[2], /revoked/, 'revoked Proxy');
    assert.deepEqual(
      bad.slice(0, 3).map((record) => record.offset),
      [1, 2, 3],
    );
    assert.deepEqual(outputs(records), ['first', 4, 'last'], 'the descriptor trap is never hit: that item goes through');
  });

  test('a value the transport cannot copy (a Proxy, throwing or not, or with a throwing getter inside) fails that message only', async (t) => {
    const engine = engineFor(t, { retry: { attempts: 1 } });
    const source: SourceRecord[] = [
      { value: 'first' },
      { value: new Proxy({ n: 1 }, {}) },
      { value: throwingTrap('get', 2) },
      { value: throwingTrap('ownKeys', 3) },
      { value: throwingGetter('inner', 4) },
      { value: 'last' },
    ];
    const records = await recordsOf(engine, source, 'the run over the bad items to end');
    assert.deepEqual(outputs(records), ['first', 'last']);
    const bad = failed(records);
    assert.deepEqual(
      bad.map((record) => record.offset),
      [1, 2, 3, 4],
    );
    for (const record of bad) {
      assert.ok(record.error.message.length > 0, `offset ${record.offset}: the error says what went wrong`);
      assert.match(record.error.message, /could not be cloned|exploded/, `offset ${record.offset}: ${record.error.message}`);
    }
  });

  test('with a byte limit (values are measured), a value whose Proxy traps throw is a bad item, not the end of the run', async (t) => {
    const engine = engineFor(t, { buffers: { input: { bytes: 1e9 } } });
    const source: SourceRecord[] = [{ value: 'first' }, { value: throwingTrap('ownKeys', 1) }, { value: throwingTrap('get', 2) }, { value: 'last' }];
    const records = await recordsOf(engine, source, 'the run over the bad items to end');
    assert.deepEqual(outputs(records), ['first', 'last']);
    const bad = failed(records);
    assertInvalid(bad[0], /measuring `value`.*the ownKeys trap exploded/, 'ownKeys trap');
    assert.deepEqual(
      bad.map((record) => record.offset),
      [1, 2],
    );
  });

  test('each field is read once: a getter that is valid on the first read and not on the next cannot slip through', async (t) => {
    const engine = engineFor(t);
    let reads = 0;
    const item = {
      value: 'changing',
      get eventTime() {
        reads++;
        return reads === 1 ? 1000 : Number.NaN;
      },
    };
    const records = await recordsOf(engine, [item], 'the run over the bad items to end');
    assert.equal(reads, 1, 'eventTime read once');
    assert.equal(records[0]?.kind, 'output');
    assert.equal(records[0]?.eventTime, 1000);
  });
});
