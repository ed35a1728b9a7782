import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Engine } from '../src/index.js';
import type { EngineRecord } from '../src/index.js';
import { Gates, fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

/** What the keyed-gated fixture records: start ranks per message, and same-key overlaps. */
class Track {
  readonly buffer: SharedArrayBuffer;
  readonly #view: Int32Array;
  readonly #n: number;

  constructor(n: number, keys: number) {
    this.#n = n;
    this.buffer = new SharedArrayBuffer(4 * (2 + 2 * n + keys));
    this.#view = new Int32Array(this.buffer);
  }

  firstStart(i: number): number {
    return Atomics.load(this.#view, 1 + 2 * i);
  }

  lastStart(i: number): number {
    return Atomics.load(this.#view, 2 + 2 * i);
  }

  get overlaps(): number {
    return Atomics.load(this.#view, this.#view.length - 1);
  }

  get n(): number {
    return this.#n;
  }
}

forEachTransport((transport) => {
  test("ordering: 'key' runs each key's messages one at a time in offset order, whatever the completion order and retries", async (t) => {
    const concurrency = 6;
    const engine = new Engine({
      transport,
      transform: fixture('keyed-gated.js'),
      threads: 2,
      concurrency,
      ordering: 'key',
      retry: { attempts: 3, backoff: { initial: 1, max: 1 } },
    });
    t.after(() => engine.close());
    const schedule = fc.integer({ min: 1, max: 16 }).chain((n) =>
      fc.record({
        keys: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
        failing: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
        order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(schedule, async ({ keys, failing, order }) => {
        const n = keys.length;
        const gates = new Gates(n);
        const track = new Track(n, 4);
        const rank = new Map(order.map((index, position) => [index, position]));
        const messages = keys.map((k, i) => ({
          key: `k${k}`,
          value: { ...gates.message(i).value, track: track.buffer, n, keyIndex: k, failUntil: failing[i] },
        }));
        const records: EngineRecord[] = [];
        const consumed = (async () => {
          for await (const record of engine.process(messages)) records.push(record);
        })();
        // While the run is in flight, let the started message that comes first in `order` through, one at a time.
        const opened: number[] = [];
        for (let step = 0; step < n; step++) {
          const waiting = (): number[] => [...Array(n).keys()].filter((i) => gates.tries(i) > 0 && !gates.isOpen(i));
          await until(() => waiting().length > 0, 'a started message waiting at its gate', () => ({ opened }));
          const next = waiting().sort((a, b) => (rank.get(a) as number) - (rank.get(b) as number))[0] as number;
          gates.open(next);
          opened.push(next);
        }
        await within(consumed, `the run to end after opening ${opened.join(', ')}`);
        assert.equal(track.overlaps, 0, 'a try started while another of its key was running');
        assert.deepEqual(records.map((r) => r.offset).sort((a, b) => a - b), [...Array(n).keys()]);
        for (const record of records) assert.equal(record.kind, 'output', `offset ${record.offset} failed`);
        for (let i = 0; i < n; i++) {
          for (let j = i + 1; j < n; j++) {
            if (keys[i] !== keys[j]) continue;
            assert.ok(track.lastStart(i) < track.firstStart(j), `offset ${j} started before offset ${i} (same key) was done`);
          }
        }
        for (let k = 0; k < 4; k++) {
          const outputs = records.filter((r) => r.key === `k${k}`).map((r) => r.offset);
          assert.deepEqual(outputs, [...outputs].sort((a, b) => a - b), `key k${k}'s outputs out of offset order`);
        }
      }),
      { numRuns: 30 },
    );
  });

  test("ordering: 'key' has no head-of-line blocking: a stuck key holds back only itself, and the committed offset stays at it", async (t) => {
    const n = 12;
    const gates = new Gates(n);
    const track = new Track(n, 2);
    const engine = new Engine({ transport, transform: fixture('keyed-gated.js'), threads: 2, concurrency: 3, ordering: 'key' });
    t.after(async () => {
      for (let i = 0; i < n; i++) gates.open(i);
      await within(engine.close(), 'the engine to close');
    });
    // Offsets 0 and 1 are the slow key's; the rest are keys of their own, every one open from the start.
    const messages = Array.from({ length: n }, (_, i) => ({
      key: i < 2 ? 'slow' : `fast${i}`,
      value: { ...gates.message(i).value, track: track.buffer, n, keyIndex: i < 2 ? 0 : 1 },
    }));
    for (let i = 2; i < n; i++) gates.open(i);
    const records = engine.process(messages)[Symbol.asyncIterator]();
    const seen: number[] = [];
    for (let i = 2; i < n; i++) {
      const { value } = await within(records.next(), `output ${i - 1} of the fast keys`, 30_000);
      seen.push((value as EngineRecord).offset);
    }
    assert.deepEqual(seen.sort((a, b) => a - b), [...Array(n).keys()].slice(2));
    assert.equal(gates.tries(0), 1, 'offset 0 is running');
    assert.equal(gates.tries(1), 0, 'offset 1 waits for offset 0, its key');
    assert.equal(engine.committedOffset, 0, 'the committed offset is the lowest in flight');
    gates.open(0);
    gates.open(1);
    const last: number[] = [];
    for (let r = await records.next(); r.done !== true; r = await records.next()) last.push(r.value.offset);
    assert.deepEqual(last, [0, 1]);
    assert.equal(engine.committedOffset, n);
  });
});

test("ordering: 'key' is refused with priority and in batch mode, with the option named", () => {
  assert.throws(() => new Engine({ transform: fixture('identity.js'), ordering: 'key', priority: () => 1 }), { code: 'ERR_TIDEMARK_INVALID_OPTION', option: 'priority' });
  assert.throws(() => new Engine({ transform: fixture('identity.js'), ordering: 'key', mode: 'batch' }), { code: 'ERR_TIDEMARK_INVALID_OPTION', option: 'ordering' });
});
