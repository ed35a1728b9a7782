import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineDisconnectedError, spawnEngine } from '../src/embed/index.js';
import type { SpawnOptions } from '../src/embed/index.js';
import { within } from './helpers/wait.js';

// spawnEngine's engine thread dies under a run: of an uncaught error, of
// process.exit, of its heap limit. The host's run must end with an
// EngineDisconnectedError that says why, not just that the port closed, and
// close() must not hang. The far-side source fixtures/embed/engine-thread-dies.mjs
// runs in the engine thread and kills it after a few records.

const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);
const dies = fixture('embed/engine-thread-dies.mjs').href;

/** Runs `how` on a spawned engine; returns the error the run ended with and the records before it. */
async function deathOf(how: string, options: Partial<SpawnOptions> = {}, before = 5): Promise<{ error: unknown; records: number }> {
  const engine = await within(spawnEngine({ transform: fixture('double.js'), threads: 1, ...options }), 'the engine thread to start');
  let records = 0;
  let error: unknown;
  try {
    await within(
      (async () => {
        for await (const record of engine.process({ module: dies, args: { how, before } })) {
          assert.equal(record.kind, 'output');
          records++;
        }
      })(),
      `the run to end when the engine thread dies (${how})`,
    );
  } catch (caught) {
    error = caught;
  } finally {
    await within(engine.close(), 'close() after the engine thread died');
  }
  return { error, records };
}

function assertDisconnected(error: unknown, cause: RegExp): void {
  assert.ok(error instanceof EngineDisconnectedError, `an EngineDisconnectedError: ${String(error)}`);
  assert.equal(error.code, 'ERR_TIDEMARK_ENGINE_DISCONNECTED');
  assert.match(error.message, cause);
}

test('spawnEngine: an uncaught error in the engine thread ends the run with an EngineDisconnectedError naming it', async () => {
  const { error, records } = await deathOf('throw');
  assertDisconnected(error, /^the remote engine disconnected: the engine thread failed: RangeError: the engine thread broke$/);
  assert.ok(records <= 5);
});

test('spawnEngine: an engine thread that exits ends the run with an EngineDisconnectedError giving its exit code', async () => {
  const { error } = await deathOf('exit');
  assertDisconnected(error, /^the remote engine disconnected: the engine thread exited with code 7$/);
});

test('spawnEngine: an engine thread out of memory ends the run with an EngineDisconnectedError saying so', async () => {
  const { error } = await deathOf('oom', { engineThreadLimits: { maxOldGenerationSizeMb: 64 } });
  assertDisconnected(error, /the engine thread failed: .*memory limit.*\(ERR_WORKER_OUT_OF_MEMORY\)$/);
});

test('spawnEngine: an engine thread that dies before the engine is made rejects spawnEngine with the cause', async () => {
  // 1 MB of heap cannot even load the engine.
  const error = await within(
    spawnEngine({ transform: fixture('double.js'), threads: 1, engineThreadLimits: { maxOldGenerationSizeMb: 1 } }).then(
      async (engine) => {
        await engine.close();
        assert.fail('the engine started in 1 MB of heap');
      },
      (e: unknown) => e,
    ),
    'spawnEngine to settle',
  );
  assertDisconnected(error, /the engine thread failed: .*memory limit.*\(ERR_WORKER_OUT_OF_MEMORY\)$/);
});
