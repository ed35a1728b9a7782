import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { BufferLimit, OverflowPolicy } from '../src/buffers/buffer-limit.js';
import type { Dispatcher } from '../src/dispatch/dispatcher.js';
import type { ResolvedOptions } from '../src/options/options.js';
import type { WindowStage } from '../src/reduce/window-stage.js';
import type { MessageTracker } from '../src/run/message-tracker.js';
import { ReadGate } from '../src/run/read-gate.js';
import type { ReadingRule } from '../src/run/reading-rule.js';

// The gate alone, over stand-ins for what it reads (the input buffer's fill, the messages in
// flight, the reading rule): no run, no threads.

interface World {
  inFlight: number;
  queued: number;
  inputFull: boolean;
  ruleSays: boolean;
  relieved: number;
}

function gate(
  input: { messages: number; overflow: OverflowPolicy },
  { mode = 'async', ordering = 'unordered', windows = false }: { mode?: 'async' | 'batch'; ordering?: 'unordered' | 'ordered' | 'key'; windows?: boolean } = {},
): { gate: ReadGate; world: World } {
  const world: World = { inFlight: 0, queued: 0, inputFull: false, ruleSays: true, relieved: 0 };
  const limit = (messages: number, overflow: OverflowPolicy = 'block'): BufferLimit => ({ messages, bytes: Number.POSITIVE_INFINITY, overflow });
  const options = { buffers: { input: limit(input.messages, input.overflow), processing: limit(8), output: limit(16) }, mode, ordering } as unknown as ResolvedOptions;
  const dispatcher = {
    input: {
      get size() {
        return world.queued;
      },
      get full() {
        return world.inputFull;
      },
    },
  } as unknown as Dispatcher;
  const tracker = {
    get size() {
      return world.inFlight;
    },
  } as unknown as MessageTracker;
  const reading: ReadingRule = { mayRead: () => world.ruleSays, read: () => -1, full: false, seal: () => false };
  const stage = windows ? ({ relieve: () => void world.relieved++ } as unknown as WindowStage) : undefined;
  return { gate: new ReadGate(options, dispatcher, tracker, reading, stage), world };
}

test('mayRead: never past the three buffers added up, never into a full blocking input buffer, and the reading rule has the last word', () => {
  const { gate: blocking, world } = gate({ messages: 4, overflow: 'block' });
  assert.equal(blocking.mayRead(), true);
  world.inFlight = 4 + 8 + 16;
  assert.equal(blocking.mayRead(), false, 'at the in-flight bound');
  world.inFlight = 27;
  assert.equal(blocking.mayRead(), true);
  world.inputFull = true;
  assert.equal(blocking.mayRead(), false, 'a full blocking input buffer');
  world.inputFull = false;
  world.ruleSays = false;
  assert.equal(blocking.mayRead(), false, 'the reading rule (batch mode between batches)');

  // A dropping policy reads into a full input buffer: the buffer's policy decides what goes.
  for (const overflow of ['drop-newest', 'drop-oldest', 'reject'] as const) {
    const { gate: dropping, world: w } = gate({ messages: 4, overflow });
    w.inputFull = true;
    assert.equal(dropping.mayRead(), true, overflow);
  }
});

test('mayRead at the in-flight bound asks the windows to close one early (a full run of held messages must not wedge)', () => {
  const { gate: g, world } = gate({ messages: 4, overflow: 'block' }, { windows: true });
  world.inFlight = 28;
  assert.equal(g.mayRead(), false);
  assert.equal(world.relieved, 1);
  world.inFlight = 3;
  assert.equal(g.mayRead(), true);
  assert.equal(world.relieved, 1, 'only at the bound');
});

test('wakes: in runs (blocking, async, not per key) at or below half the input buffer; otherwise on every freed slot', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 64 }),
      fc.constantFrom<OverflowPolicy>('block', 'drop-newest', 'drop-oldest', 'reject'),
      fc.constantFrom<'async' | 'batch'>('async', 'batch'),
      fc.constantFrom<'unordered' | 'ordered' | 'key'>('unordered', 'ordered', 'key'),
      fc.integer({ min: 0, max: 64 }),
      (messages, overflow, mode, ordering, queued) => {
        const { gate: g, world } = gate({ messages, overflow }, { mode, ordering });
        world.queued = Math.min(queued, messages);
        const inRuns = overflow === 'block' && mode === 'async' && ordering !== 'key';
        assert.equal(g.wakes, inRuns ? world.queued <= Math.floor(messages / 2) : true);
      },
    ),
  );
});
