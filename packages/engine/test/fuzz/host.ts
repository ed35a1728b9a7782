import { createInterface } from 'node:readline';
import { DIED, LINGERS, RESULT } from './protocol.js';
import { describeError, runScenario } from './run-scenario.js';
import type { Scenario } from './scenario.js';

// The fuzz host: the process that embeds the engine, as a user's program
// does, so that the fuzz test sees it die or hang instead of dying itself.
// It reads one scenario (JSON) per line of stdin, runs each in turn, and
// writes one result line per scenario: `@@fuzz {"violations":[…],…}` (other
// lines on stdout are a transform's or the engine's own). It installs no
// handler that would keep it alive: an uncaught error kills it, as it would
// kill a user's program. When stdin ends it must exit by itself: a handle
// the engine left open keeps it alive, and the test sees that.
//   node --import tsx packages/engine/test/fuzz/host.ts < scenarios.jsonl

let warnings: string[] = [];
process.on('warning', (warning) => {
  if (warning.name !== 'ExperimentalWarning') warnings.push(`${warning.name}: ${warning.message}`);
});
// Says what killed the host, then lets it die as it would.
process.on('uncaughtExceptionMonitor', (error, origin) => {
  process.stdout.write(`${DIED}${origin}: ${describeError(error)}\n`);
});

const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
for await (const line of lines) {
  if (line.trim() === '') continue;
  const scenario = JSON.parse(line) as Scenario;
  warnings = [];
  const started = performance.now();
  const result = await runScenario(scenario);
  result.violations.push(...warnings.map((warning) => `process warning: ${warning}`));
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`${RESULT}${JSON.stringify({ ...result, ms })}\n`);
}
// Whatever is still open past this point keeps the host alive: say what, if it lingers.
setTimeout(() => process.stdout.write(`${LINGERS}${JSON.stringify(process.getActiveResourcesInfo())}\n`), 5_000).unref();
