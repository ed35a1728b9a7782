import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, InvalidOptionError } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { recordsOf } from './helpers/wait.js';

// Key affinity of a windowed reduce, on real workers: a key's accumulators
// are created, added to and turned into results on the one worker its key
// hashes to, so they never move between threads. The reduce module
// (fixtures/reduce/thread-per-key.js) records the thread of every create,
// add and result. Were a message's add sent to any other worker, its
// window's result would find the part missing there and be recomputed from
// the values in the result's op: an add that ran in another message's op
// shows that, as a thread other than the result's shows a moved add.
// Ring transport only: the task transport lets piscina pick each task's
// worker, and a reduce refuses it.

const KEYS = 8;
const WINDOWS = 4;
const PER_WINDOW = 6;
const SPAN = 100;

interface Result {
  key: string;
  window: { start: number; end: number };
  created: number[];
  adds: { n: number; thread: number; offset: number }[];
  thread: number;
}

for (const window of [{ tumbling: SPAN }, { sliding: { size: SPAN, every: SPAN / 2 } }, { session: { gap: 5 } }]) {
  const kind = Object.keys(window)[0] as string;
  test(`reduce (ring, 2 threads, ${kind} windows): each key's creates, adds and results all run on one thread; keys spread over both threads`, async () => {
    // Keys interleaved message by message, each window's messages spread over its span (session: one session per window's span).
    const source: { key: string; eventTime: number; value: { n: number } }[] = [];
    for (let w = 0; w < WINDOWS; w++) {
      for (let i = 0; i < PER_WINDOW; i++) {
        for (let k = 0; k < KEYS; k++) source.push({ key: `key-${k}`, eventTime: w * SPAN + i * 3, value: { n: source.length } });
      }
    }
    const engine = new Engine({ transport: 'ring', threads: 2, concurrency: 16, reduce: fixture('reduce/thread-per-key.js'), window, watermark: { maxOutOfOrderness: 0 } });
    try {
      const records = await recordsOf(engine, source);
      const results = records.map((record) => {
        assert.equal(record.kind, 'output', JSON.stringify(record));
        assert.equal(record.late, undefined, 'nothing late');
        return (record as { value: Result }).value;
      });
      const threadOfKey = new Map<string, number>();
      const added = new Map<number, number>();
      const wrong: string[] = [];
      for (const { key, window: { start }, created, adds, thread } of results) {
        const at = `${key} [${start}…)`;
        if (threadOfKey.has(key) && threadOfKey.get(key) !== thread) wrong.push(`${at}: result on thread ${thread}, another of the key's on ${threadOfKey.get(key)}`);
        threadOfKey.set(key, thread);
        for (const from of created) if (from !== thread) wrong.push(`${at}: created on thread ${from}, result on ${thread}`);
        for (const add of adds) {
          if (add.thread !== thread) wrong.push(`${at}: message ${add.n} added on thread ${add.thread}, result on ${thread}`);
          if (add.offset !== add.n) wrong.push(`${at}: message ${add.n} added in message ${add.offset}'s op (recomputed: its part was not on the result's worker)`);
          added.set(add.n, (added.get(add.n) ?? 0) + 1);
        }
      }
      assert.deepEqual(wrong, [], "every key's state stayed on its worker");
      assert.equal(threadOfKey.size, KEYS, 'every key has results');
      assert.equal(new Set(threadOfKey.values()).size, 2, `the keys spread over both threads: ${JSON.stringify([...threadOfKey])}`);
      const perMessage = kind === 'sliding' ? 2 : 1;
      assert.deepEqual([...added.values()].filter((count) => count !== perMessage), [], `each message added to its ${perMessage} window(s) once`);
      assert.equal(added.size, source.length, 'every message was added');
    } finally {
      await engine.close();
    }
  });
}

test('reduce: the task transport is refused (it cannot keep a key on one worker)', () => {
  assert.throws(() => new Engine({ transport: 'task', threads: 2, reduce: fixture('reduce/thread-per-key.js'), window: { tumbling: SPAN } }), (error: unknown) => error instanceof InvalidOptionError && error.option === 'transport');
});
