import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FuzzHost } from './fuzz/host-process.js';
import { scenarios } from './fuzz/scenario-arbitrary.js';

// Issue 11: nothing a transform, a source, an option or a consumer does may
// take down or wedge the program that embeds the engine. A fuzz test of the
// public API: random options (valid, at the edge of their range, and
// invalid), random items (bad fields, throwing getters, proxies, deep,
// cyclic, large and uncloneable values), random transform behaviour per
// message (fixtures/fuzz.js: throw, hang, spin, exit, fan out, drop,
// poison globals, uncloneable or deep outputs) and random consumers (all,
// break, throw, abandon, abort, close(), slow, in chunks, a second run).
//
// Each scenario runs in the fuzz host (fuzz/host.ts), a child process that
// embeds the engine as a user's program does: the host dying or hanging
// fails the scenario instead of the test runner. Per scenario the host
// checks (fuzz/run-scenario.ts, fuzz/check-run.ts, fuzz/judge.ts):
// - bad options throw InvalidOptionError from the constructor; valid ones
//   do not; edge ones either throw it or work;
// - every offset is accounted for: each message acked once, as its outputs,
//   one failed record, or dropped by a buffer that drops, each as its item
//   and transform say; the committed offset never passes a message not
//   handed over; a run not left early hands over all it read;
// - the watermark rule, the order in ordered mode, EngineBusyError during a
//   run and EngineClosedError after close();
// - every run and close() ends, and close() leaves no handle open;
// and at the end, the host exits by itself once its input ends.
//
// Deterministic: a fixed seed (TIDEMARK_FUZZ_SEED overrides it) and number
// of runs (TIDEMARK_FUZZ_RUNS); nothing waits on a clock but the bounds on a
// hang (TIDEMARK_FUZZ_BOUND_MS per run and per close(), 20 s). The first
// failure ends the test with its scenario; TIDEMARK_FUZZ_SHRINK=1 shrinks it
// first (slower: each try is a scenario run). A scenario replays alone: put
// its JSON on one line and
//   node --import tsx packages/engine/test/fuzz/host.ts < scenario.jsonl

const SEED = Number(process.env.TIDEMARK_FUZZ_SEED ?? 0x11_f0_22);
const RUNS = Number(process.env.TIDEMARK_FUZZ_RUNS ?? 100);
const SHRINK = process.env.TIDEMARK_FUZZ_SHRINK === '1';
/** The host bounds each run and each close() (20 s, TIDEMARK_FUZZ_BOUND_MS); past this it is killed as hung. */
const SCENARIO_BOUND_MS = 5 * Number(process.env.TIDEMARK_FUZZ_BOUND_MS ?? 20_000);

test('fuzz: random options, items, transforms and consumers never kill or wedge the host, and every offset is accounted for', { timeout: 600_000 }, async (t) => {
  const host = new FuzzHost();
  t.after(() => host.kill());
  const tally = { scenarios: 0, refused: 0, runs: 0, handed: 0, acked: 0, ms: 0, slowest: 0 };
  await fc.assert(
    fc.asyncProperty(scenarios, async (scenario) => {
      const result = await host.run(scenario, SCENARIO_BOUND_MS);
      tally.scenarios++;
      tally.ms += result.ms;
      tally.slowest = Math.max(tally.slowest, result.ms);
      if (result.notes.some((note) => note.startsWith('options refused'))) tally.refused++;
      for (const run of result.runs) {
        tally.runs++;
        tally.handed += run.handed;
        tally.acked += run.acked;
      }
      if (result.violations.length > 0) {
        throw new Error(`${result.violations.length} violation(s):\n- ${result.violations.join('\n- ')}\nruns: ${JSON.stringify(result.runs)}\nscenario (one line): ${JSON.stringify(scenario)}`);
      }
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: !SHRINK, includeErrorInReport: true },
  );
  await host.end(15_000);
  t.diagnostic(
    `seed ${SEED}: ${tally.scenarios} scenarios (${tally.refused} with edge options refused), ${tally.runs} runs, ` +
      `${tally.handed} records handed over, ${tally.acked} messages acked; hosts started ${host.started}; ` +
      `scenario time ${tally.ms} ms (slowest ${tally.slowest} ms)`,
  );
  // The fuzz did what it says: runs took place and messages went through.
  assert.ok(tally.runs >= RUNS / 2, `only ${tally.runs} runs in ${tally.scenarios} scenarios`);
  assert.ok(tally.acked > 0, 'no message was acked in any scenario');
});
