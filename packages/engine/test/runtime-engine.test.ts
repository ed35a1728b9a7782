import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { cliFixture as fixture, requireBuiltCli } from './helpers/cli.js';
import { denoEnginePermissions, pinnedVersion, runOn, runtimes } from './helpers/runtimes.js';
import type { Runtime } from './helpers/runtimes.js';
import { assertWatermarkEvents } from './helpers/watermark-events.js';

// The built engine on Bun and Deno (the binaries of the pinned npm packages):
// a script of its own (fixtures/runtimes/engine-run.mjs) runs a seeded,
// skewed workload over both transports and prints every record and watermark
// event; the checks are here. Deno runs it with the permissions the README
// names, not -A.
before(requireBuiltCli);

const count = 3000;

/** What engine-run.mjs prints. */
interface EngineRun {
  readonly runtime: { readonly bun?: string; readonly deno?: string };
  readonly count: number;
  readonly eventTimeBase: number;
  readonly runs: readonly {
    readonly transport: string;
    readonly events: readonly Event[];
    readonly watermark: number;
    readonly stats: { readonly read: number; readonly acked: number; readonly failed: number; readonly late: number };
    readonly closed: boolean;
  }[];
}

interface FailedError {
  readonly name: string;
  readonly code: string;
  readonly errorName: string;
  readonly errorCode: string;
  readonly message: string;
  readonly attempts: number;
  readonly transformError: boolean;
  readonly tidemarkError: boolean;
}

type Event =
  | readonly ['w', number]
  | readonly ['o', number, number, boolean, { readonly id: number; readonly square: number }]
  | readonly ['f', number, number, boolean, FailedError];

const failing = (offset: number) => offset % 1000 === 7;

async function engineRun(t: TestContext, runtime: Runtime): Promise<EngineRun> {
  const permissions = runtime === 'deno' ? denoEnginePermissions : undefined;
  const exit = await runOn(t, runtime, fixture('runtimes/engine-run.mjs'), [String(count)], permissions === undefined ? {} : { permissions });
  assert.equal(exit.code, 0, `the script exits 0 once every engine is closed\n${exit.stderr}`);
  return JSON.parse(exit.stdout) as EngineRun;
}

for (const runtime of runtimes) {
  describe(runtime, () => {
    test(`the engine on ${runtime}, both transports: every message once with its value, failed records keep their class and code, monotonic watermark, close() returns`, async (t) => {
      const result = await engineRun(t, runtime);
      assert.equal(result.runtime[runtime], pinnedVersion(runtime), `ran on the pinned ${runtime}`);
      assert.deepEqual(
        result.runs.map((run) => run.transport),
        ['ring', 'task'],
      );
      for (const run of result.runs) {
        const what = `${runtime}, ${run.transport}`;
        assert.equal(run.closed, true, `${what}: close() returned`);
        const records = run.events.filter((event) => event[0] !== 'w');
        assert.deepEqual(
          records.map((record) => record[1]).sort((a, b) => a - b),
          Array.from({ length: count }, (_, offset) => offset),
          `${what}: one record per message, offsets 0..${count - 1} each once`,
        );
        for (const record of records) {
          const [kind, offset, eventTime] = record;
          assert.equal(eventTime, result.eventTimeBase + offset, `${what}: offset ${offset} keeps its event time`);
          if (failing(offset)) {
            assert.equal(kind, 'f', `${what}: offset ${offset} throws on every try`);
            assert.deepEqual(record[4], {
              name: 'TransformError',
              code: 'ERR_TIDEMARK_TRANSFORM',
              errorName: 'RangeError',
              errorCode: 'E_SKEWED',
              message: `message ${offset} fails on purpose`,
              attempts: 2,
              transformError: true,
              tidemarkError: true,
            });
          } else {
            assert.equal(kind, 'o', `${what}: offset ${offset} is an output`);
            assert.deepEqual(record[4], { id: offset, square: offset * offset }, `${what}: the value of offset ${offset}`);
          }
        }
        assert.deepEqual(
          { read: run.stats.read, acked: run.stats.acked, failed: run.stats.failed, late: run.stats.late },
          { read: count, acked: count, failed: 3, late: 0 },
          `${what}: the engine's counters`,
        );

        assertWatermarkEvents(run.events, result.eventTimeBase + count - 1, run.watermark, what);
      }
    });

    // A worker that passes its heap limit while it holds a message: Node
    // terminates it with ERR_WORKER_OUT_OF_MEMORY, the engine replaces it and
    // retries the message (what-cannot-take-down-the-host, tested on Node).
    const heapLimit = async (t: TestContext, timeout: number) => {
      const exit = await runOn(t, runtime, fixture('runtimes/heap-limit.mjs'), [String(timeout)]);
      assert.equal(exit.code, 0, exit.stderr);
      const { runs } = JSON.parse(exit.stdout) as { runs: { transport: string; records: [number, unknown][] }[] };
      for (const { transport, records } of runs) {
        assert.deepEqual(
          records.sort(([a], [b]) => a - b),
          [
            [0, { n: 0, attempt: 2 }],
            [1, { n: 1, attempt: 1 }],
          ],
          `${runtime}, ${transport}: the message past the heap limit was retried (not { survived }: the limit held)`,
        );
      }
    };
    const bunLimits =
      'Bun 1.4.5 does not enforce worker_threads resourceLimits: the option is ignored (worker.resourceLimits is undefined) and the worker grows until the process runs out of memory (oven-sh/bun#31411)';
    if (runtime === 'bun') {
      test('resourceLimits: a worker past its heap limit is replaced and its message retried', (t) => t.skip(bunLimits));
      test('resourceLimits with a timeout: the same', (t) => t.skip(bunLimits));
    } else {
      test('resourceLimits: a worker past its heap limit is replaced and its message retried', (t) =>
        t.skip(
          'Deno 2.9.6 stops a worker that passes its resourceLimits heap after it has started (in a message handler) but emits neither `error` nor `exit` until worker.terminate() is called, so nothing tells the engine and the run waits for good; at the top level of the worker it emits both. The limit and its ERR_WORKER_OUT_OF_MEMORY came with denoland/deno#32430, which closed #26156; no Deno issue covers this case (reproduction in the README). Set `timeout`: the next test',
        ));
      test('resourceLimits with a timeout: the stopped worker is replaced at the timeout and its message retried', (t) => heapLimit(t, 1000));
    }
  });
}
