import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { markdownTable } from './helpers/bench-output.js';
import { BenchSession } from './helpers/bench-session.js';
import { cliFixture, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';

// Where `tidemark bench --report` writes: never over the input or the
// transform it benches (as `run` never writes its input), and a report that
// fails to be written at the end (its folder removed during the run) loses
// the report only, not the figures, which are printed first.
before(requireBuiltCli);

for (const what of ['input', 'transform'] as const) {
  test(`bench --report naming its ${what} file is refused, and the file is left as it was`, async (t) => {
    const dir = await tempDir(t, 'tidemark-bench-same-');
    const input = join(dir, 'x.ndjson');
    const transform = join(dir, 't.js');
    await copyFile(cliFixture('bench-skew.ndjson'), input);
    await copyFile(cliFixture('bench-skew.js'), transform);
    const before = await readFile(what === 'input' ? input : transform, 'utf8');
    // Spelled otherwise than the flag that reads it: the same file all the same.
    const report = what === 'input' ? `${dir}/./x.ndjson` : `${dir}//t.js`;
    const exit = await tidemark(['bench', '--transform', transform, '--input', input, '--report', report], undefined, t);
    assert.equal(exit.code, 2, exit.stderr);
    assert.equal(exit.stdout, '');
    assert.deepEqual(stderrLines(exit).length, 1, exit.stderr);
    const named = what === 'input' ? 'the input file' : 'the transform module';
    const file = what === 'input' ? input : transform;
    assert.equal(exit.stderr, `tidemark: --report: ${report} is ${named} ${file}; writing it would overwrite the ${what}\n`);
    assert.equal(await readFile(what === 'input' ? input : transform, 'utf8'), before, `the ${what} is unchanged`);
  });
}

test('bench whose report folder is removed during the run prints the table, then names --report and exits 2', async (t) => {
  const dir = await tempDir(t, 'tidemark-bench-late-');
  const folder = join(dir, 'out');
  await mkdir(folder);
  const gate = join(dir, 'gate');
  const input = join(dir, 'in.ndjson');
  // Every record waits for the gate (cli-until-file.js), so the run is still going when the folder goes.
  await writeFile(input, Array.from({ length: 20 }, (_, i) => `${JSON.stringify({ value: { until: gate, out: i } })}\n`).join(''));
  const report = join(folder, 'report.html');
  const bench = new BenchSession(t, ['--transform', cliFixture('cli-until-file.js'), '--input', input, '--concurrency', '4', '--modes', 'async', '--threads', '1', '--report', report]);
  await bench.stderrMatches(/^ {2}\[1\/1\] async at concurrency 4\.\.\.$/m);
  await rm(folder, { recursive: true });
  await writeFile(gate, '');
  const exit = await bench.exit();
  assert.equal(exit.code, 2, exit.stderr);
  assert.deepEqual(markdownTable(exit.stdout).map((row) => `${row.mode} ${row.conc} ${row.messages}`), ['async 4 20'], 'the figures are printed');
  assert.match(exit.stdout, /^best: async at concurrency 4: /m);
  assert.match(stderrLines(exit).at(-1) ?? '', new RegExp(`^tidemark: --report: cannot write ${report}: the folder ${folder} does not exist$`));
  assert.ok(!existsSync(report));
});
