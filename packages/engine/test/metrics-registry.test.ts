import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { test } from 'node:test';
import type * as PromClient from 'prom-client';
import { Engine, InvalidOptionError } from '../src/index.js';
import { fixture } from './helpers/gates.js';
import { parseSamples } from './helpers/prometheus.js';

// `metrics: { registry }` takes any prom-client Registry: also one from the
// user's own copy of prom-client (another install, another version of the
// same API), whose classes are not the engine's.

/** A copy of prom-client with classes of its own, as a second install gives. */
function separateCopy(): typeof PromClient {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('prom-client');
  const root = dirname(entry);
  const engineCopy = require('prom-client') as typeof PromClient;
  const cached = Object.keys(require.cache).filter((path) => path.startsWith(root));
  const saved = cached.map((path) => [path, require.cache[path]] as const);
  for (const path of cached) delete require.cache[path];
  try {
    const copy = require('prom-client') as typeof PromClient;
    assert.notEqual(copy.Registry, engineCopy.Registry, 'a copy with classes of its own');
    return copy;
  } finally {
    for (const [path, module] of saved) require.cache[path] = module;
  }
}

test("metrics: { registry } accepts a Registry from the user's own copy of prom-client, and the engine's metrics appear on it", async () => {
  const client = separateCopy();
  const registry = new client.Registry();
  const ownCounter = new client.Counter({ name: 'app_requests_total', help: 'the user app', registers: [registry] });
  ownCounter.inc(3);
  const engine = new Engine({ transform: fixture('identity.js'), threads: 1, metrics: { registry } });
  try {
    let outputs = 0;
    for await (const record of engine.process([1, 2, 3, 4].map((value) => ({ value })))) if (record.kind === 'output') outputs++;
    assert.equal(outputs, 4);
    const samples = parseSamples(await registry.metrics());
    assert.equal(samples.get('tidemark_messages_read_total'), 4);
    assert.equal(samples.get('app_requests_total'), 3, "the user's own metrics stay");
  } finally {
    await engine.close();
  }
  assert.equal(parseSamples(await registry.metrics()).get('tidemark_messages_read_total'), undefined, 'close() takes them off');
});

test('metrics: { registry } still refuses what is not a registry, naming the option', () => {
  for (const registry of [{}, { metrics: () => '' }, 'registry', null]) {
    assert.throws(
      () => new Engine({ transform: fixture('identity.js'), metrics: { registry: registry as never } }),
      (error: unknown) => error instanceof InvalidOptionError && error.option === 'metrics.registry' && /Registry/.test(error.message),
    );
  }
});
