import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { test } from 'node:test';
import { connectEngine, spawnEngine } from '../src/embed/index.js';
import { InvalidOptionError } from '../src/index.js';
import { fixture } from './helpers/gates.js';

// A `priority` function cannot cross to a remote engine: connectEngine says
// so by name, before anything is sent, rather than failing to clone it.

test('connectEngine refuses a priority function by name', async () => {
  const { port1, port2 } = new MessageChannel();
  try {
    const options = { transform: fixture('identity.js'), priority: () => 1 } as unknown as Parameters<typeof connectEngine>[1];
    await assert.rejects(connectEngine(port1, options), (error: unknown) => error instanceof InvalidOptionError && error.option === 'priority');
  } finally {
    port1.close();
    port2.close();
  }
});

test('connectEngine and spawnEngine refuse a windowed reduce by name, before anything starts', async () => {
  const { port1, port2 } = new MessageChannel();
  const options = { reduce: fixture('reduce/sum.js'), window: { tumbling: 10 } } as unknown as Parameters<typeof connectEngine>[1];
  try {
    await assert.rejects(connectEngine(port1, options), (error: unknown) => error instanceof InvalidOptionError && error.option === 'reduce');
  } finally {
    port1.close();
    port2.close();
  }
  await assert.rejects(spawnEngine(options), (error: unknown) => error instanceof InvalidOptionError && error.option === 'reduce');
});
