import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { Engine, InvalidOptionError } from '../src/index.js';
import type { ConcurrencyChange } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { parseSamples } from './helpers/prometheus.js';

// `concurrency: { min, max }` over a real engine: the options are checked,
// the run starts with a probe of the no-load latency at `min`, every change
// stays within [min, max] and is what `engine.concurrency` then says, and
// an await-bound transform with no capacity limit takes the target to max.

const transform = fixture('await-ms.js');

function refused(options: Record<string, unknown>, option: string): void {
  assert.throws(
    () => new Engine({ transform, threads: 1, ...options }),
    (error: unknown) => error instanceof InvalidOptionError && error.option === option,
    `${JSON.stringify(options)} is refused naming ${option}`,
  );
}

test('the object form is checked: bounds, initial within them, async mode only, known keys, one limit', () => {
  refused({ concurrency: { min: 5, max: 2 } }, 'concurrency.max');
  refused({ concurrency: { min: 0, max: 2 } }, 'concurrency.min');
  refused({ concurrency: { max: 2 } }, 'concurrency.min');
  refused({ concurrency: { min: 1, max: 8, initial: 9 } }, 'concurrency.initial');
  refused({ concurrency: { min: 1, max: 8, tolerance: -1 } }, 'concurrency.tolerance');
  refused({ concurrency: { min: 1, max: 8, smoothing: 2 } }, 'concurrency.smoothing');
  refused({ concurrency: { min: 1, max: 8, window: 0 } }, 'concurrency.window');
  refused({ concurrency: { min: 1, max: 8, gain: 2 } }, 'concurrency.gain');
  refused({ concurrency: { min: 1, max: 8 }, mode: 'batch' }, 'concurrency');
  refused({ concurrency: { min: 1, max: 8 }, buffers: { processing: { messages: 4 } } }, 'buffers.processing.messages');
  refused({ concurrency: 'many' }, 'concurrency');
  refused({ concurrency: { min: 1, max: 8 }, lookahead: true }, 'lookahead');
  const engine = new Engine({ transform, threads: 2, concurrency: { min: 2, max: 64 } });
  assert.equal(engine.options.concurrency, 64, 'slots and buffers are sized for max');
  assert.equal(engine.options.adaptive?.initial, 8, 'initial defaults to threads * 4 within [min, max]');
  assert.equal(engine.concurrency, 8);
  void engine.close();
});

test('a fixed concurrency stays put and reports no change', async () => {
  const engine = new Engine({ transform, threads: 1, concurrency: 3 });
  const changes: ConcurrencyChange[] = [];
  engine.on('concurrency', (change) => changes.push(change));
  try {
    let n = 0;
    for await (const record of engine.process(Array.from({ length: 50 }, (_, i) => ({ value: { ms: 0, i } })))) {
      assert.equal(record.kind, 'output');
      n++;
    }
    assert.equal(n, 50);
    assert.equal(engine.concurrency, 3);
    assert.deepEqual(changes, []);
  } finally {
    await engine.close();
  }
});

for (const transport of ['ring', 'task'] as const) {
  test(`${transport}: an await with no capacity limit takes the target from a probe at min up to max, within [min, max] all along`, async () => {
    const registry = new Registry();
    const max = 16;
    const engine = new Engine({ transform, transport, threads: 1, concurrency: { min: 1, max, initial: 2, window: 50 }, metrics: { registry } });
    const changes: ConcurrencyChange[] = [];
    let peak = 0;
    engine.on('concurrency', (change) => changes.push(change));
    const limit = 40_000;
    async function* source() {
      for (let i = 0; i < limit; i++) yield { value: { ms: 20, i } };
    }
    try {
      let n = 0;
      for await (const record of engine.process(source())) {
        assert.equal(record.kind, 'output');
        n++;
        peak = Math.max(peak, engine.processing);
        assert.ok(engine.processing <= engine.options.concurrency, `${engine.processing} at the workers, max ${max}`);
        if (engine.concurrency === max) break;
      }
      assert.equal(engine.concurrency, max, `the target reached max within ${n} of ${limit} messages: ${changes.map((c) => `${c.reason} ${c.to}`).join(', ')}`);
      assert.deepEqual(
        changes.slice(0, 2).map((c) => [c.reason, c.to]),
        [
          ['probe', 1],
          ['probed', 2],
        ],
        'a probe at min comes first, then the initial target',
      );
      for (const change of changes) assert.ok(change.to >= 1 && change.to <= max && change.from !== change.to, JSON.stringify(change));
      for (let i = 1; i < changes.length; i++) assert.equal(changes[i]?.from, changes[i - 1]?.to, 'each change starts where the last ended');
      assert.ok((changes[1]?.noLoadLatency ?? 0) >= 20, 'the no-load latency is at least the await');
      assert.ok(changes.some((c) => c.reason === 'grow' && c.signals !== undefined && c.signals.throughput > 0));
      assert.equal(parseSamples(await registry.metrics()).get('tidemark_concurrency_target'), max, 'the metrics show the target of the moment');
    } finally {
      await engine.close();
    }
  });
}

test('a concurrency listener that throws ends the run with its error, and the host goes on', async () => {
  const engine = new Engine({ transform, threads: 1, concurrency: { min: 1, max: 8 } });
  const boom = new Error('listener failed');
  engine.on('concurrency', () => {
    throw boom;
  });
  async function* endless() {
    for (let i = 0; ; i++) yield { value: { ms: 0, i } };
  }
  try {
    await assert.rejects(
      (async () => {
        for await (const record of engine.process(endless())) assert.equal(record.kind, 'output');
      })(),
      (error: unknown) => error === boom,
    );
    assert.equal(engine.inFlight, 0, 'what was in flight was handed over before the error');
  } finally {
    await engine.close();
  }
});
