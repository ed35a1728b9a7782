import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../src/index.js';
import type { EngineOptions, SourceRecord } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { forEachTransport } from './helpers/transports.js';
import { within } from './helpers/wait.js';

// A source that never waits for I/O (a generator, an async generator that
// awaits nothing), read against a drop policy, always finds room: the
// reader used to take it in one stretch, so that nothing else on the main
// thread ran (no completion, no timer, no abort) until the source ended,
// and never for an endless one. The reader lets the event loop turn every
// so many items.

/** Items a source gives before the first event-loop turn, and whether it ran out its guard. */
interface Probe {
  beforeTurn: number;
  given: number;
  turned: boolean;
}

/**
 * An endless source that notes how many items it gave before the event loop
 * first turned. `guard`: it ends there, so that a reader that never lets the
 * loop turn fails the test instead of hanging it.
 */
function endless(probe: Probe, guard: number, async: boolean): Iterable<SourceRecord> | AsyncIterable<SourceRecord> {
  function* items(): Generator<SourceRecord> {
    // From the first item read: the run starts reading once its workers are ready.
    setImmediate(() => {
      probe.turned = true;
    });
    for (; probe.given < guard; probe.given++) {
      if (!probe.turned) probe.beforeTurn++;
      yield { value: probe.given };
    }
  }
  if (!async) return items();
  return (async function* () {
    // Awaits nothing that waits: each item comes in a microtask.
    for (const item of items()) yield await Promise.resolve(item);
  })();
}

forEachTransport((transport) => {
  for (const async of [false, true]) {
    const kind = async ? 'an async generator that awaits nothing' : 'a generator';
    for (const buffers of [
      { input: { overflow: 'drop-oldest' } },
      { input: { overflow: 'drop-newest' } },
    ] satisfies EngineOptions['buffers'][]) {
      const policy = buffers.input.overflow;
      test(`an endless ${kind} against input ${policy}: the event loop turns, the consumer gets records, an abort ends the run`, async (t) => {
        const engine = new Engine({ transport, transform: fixture('echo.js'), threads: 1, buffers });
        t.after(() => engine.close());
        const guard = 2_000_000;
        const probe: Probe = { beforeTurn: 0, given: 0, turned: false };
        const controller = new AbortController();
        let outputs = 0;
        await within(
          (async () => {
            for await (const record of engine.process(endless(probe, guard, async), { signal: controller.signal })) {
              if (record.kind === 'output' && ++outputs === 3) controller.abort();
            }
          })(),
          'the run to end on the abort',
        );
        assert.ok(probe.turned, 'the event loop turned while the source was read');
        assert.ok(probe.beforeTurn < 10_000, `${probe.beforeTurn} items were read before the event loop first turned`);
        assert.ok(probe.given < guard, 'the abort, not the end of the source, ended the run');
        assert.ok(outputs >= 3);
        assert.ok((engine.stats?.dropped ?? 0) > 0, `the ${policy} policy shed what did not fit`);
      });
    }
  }
});
