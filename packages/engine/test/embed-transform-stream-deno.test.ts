import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { cliFixture as fixture, requireBuiltCli } from './helpers/cli.js';
import { pinnedVersion, runOn } from './helpers/runtimes.js';
import { ServeSession } from './helpers/serve-session.js';

// The issue's "WHATWG TransformStream for readable.pipeThrough(...) in Deno
// (through the remote engine)": fixtures/hosts/deno-pipe-through.mjs, on the
// pinned Deno with --allow-net to the server only, drives `tidemark serve`
// through engine.transformStream() from the browser bundle and prints what
// came back; the checks are here.
before(requireBuiltCli);

const count = 1_000;

type Plain = readonly [offset: number, eventTime: number, key: string, value: unknown];

interface DenoRun {
  readonly runtime: { readonly deno: string };
  readonly run: { readonly records: readonly Plain[]; readonly read: number; readonly acked: number };
  readonly cancel: { readonly taken: number; readonly sourceCancelledWithReason: boolean; readonly after: readonly number[] };
  readonly loadError: Record<string, unknown>;
}

test('a Deno host: readable.pipeThrough(engine.transformStream()).pipeTo(writable) over tidemark serve: every message once, cancel ends the run, a TransformLoadError keeps its class', async (t) => {
  const { url } = await ServeSession.start(t);
  const { host } = new URL(url);
  const exit = await runOn(t, 'deno', fixture('hosts/deno-pipe-through.mjs'), [url, String(count)], { permissions: [`--allow-net=${host}`] });
  assert.equal(exit.code, 0, `the Deno host exits 0 once its engines are closed\n${exit.stderr}`);
  const { runtime, run, cancel, loadError } = JSON.parse(exit.stdout) as DenoRun;
  assert.equal(runtime.deno, pinnedVersion('deno'), 'ran on the pinned Deno');

  assert.deepEqual(
    run.records.map((record) => record[0]).sort((a, b) => a - b),
    Array.from({ length: count }, (_, offset) => offset),
    'one record per message, each once',
  );
  for (const [offset, eventTime, key, value] of run.records) {
    assert.deepEqual([eventTime, key], [1_000 + offset, `k${offset % 4}`], `offset ${offset} keeps its event time and key`);
    if (offset % 100 === 7) {
      assert.deepEqual(value, { name: 'TransformError', code: 'ERR_TIDEMARK_TRANSFORM', errorCode: 'E_HOSTS_SKEWED', transformError: true }, `offset ${offset} fails`);
    } else {
      assert.deepEqual(value, { id: offset, doubled: offset * 2 }, `offset ${offset}'s output`);
    }
  }
  assert.deepEqual([run.read, run.acked], [count, count], "the far engine's counters");

  assert.equal(cancel.taken, 50, 'the cancelled run gave records until it was cancelled');
  assert.equal(cancel.sourceCancelledWithReason, true, "the source was cancelled with cancel()'s reason");
  assert.deepEqual(cancel.after, Array.from({ length: 200 }, (_, offset) => offset), 'the engine ran again after the cancel: every message once');

  assert.deepEqual(
    loadError,
    { thrown: true, name: 'TransformLoadError', code: 'ERR_TIDEMARK_TRANSFORM_LOAD', transformLoadError: true, sourceCancelledWithIt: true },
    'a transform that throws at load errors the stream with a TransformLoadError and cancels the source with it',
  );
});
