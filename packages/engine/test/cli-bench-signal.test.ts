import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { markdownTable } from './helpers/bench-output.js';
import { BenchSession } from './helpers/bench-session.js';
import { cliFixture, requireBuiltCli, tempDir } from './helpers/cli.js';

// SIGINT or SIGTERM during `tidemark bench` once a setting has finished:
// the setting running is stopped, the table of the finished ones printed
// with a line naming the signal and the setting cut, no report written, and
// the exit status is the shell's 128 + the signal's number. The second
// setting's records wait on a file the test creates only after the bench
// says it is stopping (bench-hold-second.js), so the signal always lands
// inside that setting's run: no sleep, no timing window.
before(requireBuiltCli);

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal} during the second setting prints the first setting's figures, says which setting was cut, and exits ${code}`, async (t) => {
    const dir = await tempDir(t, 'tidemark-bench-signal-');
    const loads = join(dir, 'loads');
    const gate = join(dir, 'gate');
    const input = join(dir, 'in.ndjson');
    await writeFile(input, Array.from({ length: 40 }, (_, id) => `${JSON.stringify({ value: { id, loads, gate } })}\n`).join(''));
    const report = join(dir, 'report.html');
    const bench = new BenchSession(t, [
      '--transform', cliFixture('bench-hold-second.js'), '--input', input,
      '--concurrency', '2,4', '--modes', 'async', '--threads', '1', '--report', report,
    ]);
    await bench.stderrMatches(/^ {2}\[1\/2\] async at concurrency 2: /m);
    await bench.stderrMatches(/^ {2}\[2\/2\] async at concurrency 4\.\.\.$/m);
    bench.child.kill(signal);
    await bench.stderrMatches(new RegExp(`^tidemark: ${signal}: stopping async at concurrency 4`, 'm'));
    await writeFile(gate, '');
    const exit = await bench.exit();
    assert.equal(exit.code, code, exit.stderr);
    const rows = markdownTable(exit.stdout);
    assert.deepEqual(rows.map((row) => `${row.mode} ${row.conc} ${row.messages} ${row.failed}`), ['async 2 40 0'], 'the finished setting, whole');
    assert.match(exit.stdout, new RegExp(`^Stopped by ${signal} during async at concurrency 4: the table holds the 1 setting of 2 that finished before it; no report was written\\.$`, 'm'));
    assert.match(exit.stdout, /^best: async at concurrency 2: /m);
    assert.ok(!existsSync(report), 'no report for a bench cut short');
  });
}
