import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import type { ConcurrencyChange, EngineRecord } from '../src/index.js';
import { Gates, fixture, gatedEngine } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { until, within } from './helpers/wait.js';

// The controller's target is what the run really puts at the workers: its
// changes go into the scheduler's fastq `concurrency` live. Checked on the
// main thread, where the dispatcher decides: a message starts only while
// fewer than the target are at the workers, a raise starts the messages
// waiting for it at once, and after a drop nothing starts until what runs
// falls below the new target. (A controller that steered a copy of the
// target, or only its first value, fails here; the controller's own tests
// drive it with a fake `steered`.)

/**
 * Watches an engine's target against its dispatches. `dispatched` (read
 * less what waits in the input buffer) rises only when the dispatcher
 * starts a message, and it starts one only while fewer than the target run:
 * so whenever something started since the last look (and the target did
 * not move meanwhile), at most the target runs now. A `concurrency` event
 * comes after the change took effect: what started since the last look
 * started under the old target or the new one.
 */
class TargetWatch {
  readonly changes: ConcurrencyChange[] = [];
  /** Per change, as it was reported: what was at the workers, dispatched in all, and waiting in the input buffer. */
  readonly at: { processing: number; dispatched: number; waiting: number }[] = [];
  readonly violations: string[] = [];
  peak = 0;
  readonly #engine: Engine;
  #dispatched = 0;

  constructor(engine: Engine) {
    this.#engine = engine;
    engine.on('concurrency', (change) => this.#changed(change));
  }

  /** Messages that have started so far (no retries, no shedding here). */
  dispatched(): number {
    return (this.#engine.stats?.read ?? 0) - this.#engine.buffers.input.fill;
  }

  /** Look now (every turn a test waits, every record): records a violation, and fails on any so far. */
  check(): true {
    const engine = this.#engine;
    this.#look(engine.concurrency, `target ${engine.concurrency}`);
    assert.deepEqual(this.violations, [], `changes: ${this.changes.map((c) => `${c.reason} ${c.from}->${c.to}`).join(', ')}`);
    return true;
  }

  #changed(change: ConcurrencyChange): void {
    const engine = this.#engine;
    this.changes.push(change);
    const processing = engine.processing;
    this.at.push({ processing, dispatched: this.dispatched(), waiting: engine.buffers.input.fill });
    this.#look(Math.max(change.from, change.to), `${change.reason} ${change.from}->${change.to}`);
    // A raise starts what waits for it before it is reported.
    if (change.to > change.from && engine.buffers.input.fill > 0 && processing < change.to) {
      this.violations.push(`${change.reason} ${change.from}->${change.to} with ${engine.buffers.input.fill} waiting, yet ${processing} at the workers`);
    }
  }

  #look(target: number, what: string): void {
    const processing = this.#engine.processing;
    const dispatched = this.dispatched();
    this.peak = Math.max(this.peak, processing);
    if (dispatched > this.#dispatched && processing > target) {
      this.violations.push(`${dispatched - this.#dispatched} started, and ${processing} at the workers under ${what}`);
    }
    this.#dispatched = dispatched;
  }
}

const held = 3;
/** The gate of every filler message: open from the start. */
const open = held + 1;

forEachTransport((transport) => {
  test('the target steers the run: held at min while it probes, raised at once, and after a drop nothing starts until what runs falls below it', async (t) => {
    const initial = held + 1;
    const gates = new Gates(open + 1);
    gates.open(open);
    const engine = gatedEngine(t, transport, gates, {
      threads: 1,
      // A re-probe falls due 1 ms after a probe ends, at the first window with a sample; a probe needs more samples than it can get, so it ends at its deadline.
      concurrency: { min: 1, max: 16, initial, window: 50, windowSamples: 1, probeInterval: 1, probeSamples: 1_000, tolerance: 10 },
      buffers: { input: { messages: 32 }, output: { messages: 100_000 } },
    });
    const watch = new TargetWatch(engine);
    let stop = false;
    async function* source() {
      // Messages 0 .. held stay at the workers until their gates open; then fillers that complete at once, until the test stops them.
      for (let i = 0; i <= held; i++) yield gates.message(i);
      for (let i = 0; !stop; i++) yield gates.message(open, { out: `filler ${i}` });
    }
    const records: EngineRecord[] = [];
    const run = (async () => {
      for await (const record of engine.process(source())) {
        watch.check();
        records.push(record);
      }
    })();
    const state = () => ({ target: engine.concurrency, processing: engine.processing, input: engine.buffers.input.fill, changes: watch.changes.map((c) => `${c.reason} ${c.from}->${c.to}`) });

    // The run starts with a probe at min: with the input buffer full and nothing done, exactly the target is at the workers.
    await until(() => watch.check() && engine.buffers.input.fill === 32, 'the input buffer to fill', state);
    assert.equal(engine.processing, engine.concurrency, 'the target of the moment is at the workers (1 while the probe lasts)');
    assert.ok(engine.processing < initial || watch.changes.length === 2, `the probe at 1 held the run: ${JSON.stringify(state())}`);

    // The probe gets no sample (message 0 is held) and ends at its deadline: back to `initial`, and that many start at once.
    await until(() => watch.check() && engine.concurrency === initial, 'the probe to end at its deadline', state);
    assert.deepEqual(
      watch.changes.map((c) => [c.reason, c.from, c.to]),
      [
        ['probe', initial, 1],
        ['probed', 1, initial],
      ],
    );
    assert.equal(engine.processing, initial, 'the raise started the messages waiting for it');
    await gates.started(initial);
    assert.equal(gates.startedCount, initial, 'each at a worker once');

    // Message 0 completes; fillers go through the slot it frees. The next drop (the re-probe, or a back-off) leaves
    // messages 1 .. held at the workers, more than the new target: nothing may start until they fall below it.
    gates.open(0);
    let drained: { drop: ConcurrencyChange; at: { processing: number; dispatched: number; waiting: number }; dispatched: number } | undefined;
    await until(
      () => {
        watch.check();
        const index = watch.changes.length - 1;
        const drop = watch.changes[index];
        const at = watch.at[index];
        // The last change is a drop to at most `held`, and what ran beyond the held messages has drained.
        if (drop === undefined || at === undefined || drop.to >= drop.from || drop.to > held || engine.processing !== held) return false;
        drained = { drop, at, dispatched: watch.dispatched() };
        return true;
      },
      'a drop of the target, and the fillers that ran beyond it to drain',
      state,
    );
    assert.ok(drained !== undefined);
    assert.ok(drained.at.processing > drained.drop.to, `more ran than the new target when it dropped: ${JSON.stringify(drained)}`);
    assert.equal(drained.dispatched, drained.at.dispatched, `no message started after the drop: ${JSON.stringify(drained)}`);
    assert.deepEqual(
      [1, 2, 3].map((i) => gates.tries(i)),
      [1, 1, 1],
      'the held messages are still at the workers, each once',
    );

    stop = true;
    for (let i = 1; i <= held; i++) gates.open(i);
    await within(run, 'the run to end');
    watch.check();
    const outputs = records.map((r) => (r.kind === 'output' ? r.value : r.kind));
    for (let i = 0; i <= held; i++) assert.ok(outputs.includes(i), `message ${i} came out`);
    assert.equal(outputs.length, engine.stats?.read, 'every message read came out once');
    for (const change of watch.changes) assert.ok(change.to >= 1 && change.to <= 16, JSON.stringify(change));
  });

  test('every raise of the target puts that many at the workers: an await-bound transform takes it, and them, from a probe at 1 up to max', async () => {
    const max = 16;
    const initial = 2;
    const engine = new Engine({
      transform: fixture('await-ms.js'),
      transport,
      threads: 1,
      concurrency: { min: 1, max, initial, window: 50 },
      buffers: { input: { messages: 64 }, output: { messages: 100_000 } },
    });
    const watch = new TargetWatch(engine);
    let stop = false;
    async function* source() {
      for (let i = 0; !stop; i++) yield { value: { ms: 20, i } };
    }
    try {
      const run = (async () => {
        for await (const record of engine.process(source())) {
          watch.check();
          assert.equal(record.kind, 'output');
          if (engine.concurrency === max && engine.processing === max) stop = true;
        }
      })();
      await within(run, `the target and what is at the workers to reach ${max}`).catch((error: unknown) => {
        throw new Error(`${String(error)}; changes: ${watch.changes.map((c) => `${c.reason} ${c.to}`).join(', ')}`, { cause: error });
      });
      watch.check();
      assert.equal(watch.peak, max, `${max} at the workers once the target reached it`);
      const grows = watch.changes.filter((c) => c.reason === 'grow');
      assert.ok(grows.length > 0 && (grows[0]?.to ?? 0) > initial, `it grew past initial: ${watch.changes.map((c) => `${c.reason} ${c.to}`).join(', ')}`);
      // Each grow with messages waiting had at least its new target at the workers (more only while a back-off drained).
      for (const [i, change] of watch.changes.entries()) {
        const at = watch.at[i];
        if (change.reason === 'grow' && at !== undefined && at.waiting > 0) assert.ok(at.processing >= change.to, `${JSON.stringify(change)}: ${JSON.stringify(at)}`);
      }
      assert.equal(watch.at[0]?.processing, 0, 'the probe at 1 came before anything started');
    } finally {
      await engine.close();
    }
  });
});
