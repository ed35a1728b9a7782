import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { NumaflowRun, NumaflowSummary } from '../src/numaflow-summary.js';

// `pnpm bench:numaflow` at a tiny size, end to end: both servers start as processes, are
// driven over their sockets, and the printed table and the JSON hold figures of the right
// shape. A check of the benchmark's plumbing, not of its speed.

const main = fileURLToPath(new URL('../dist/numaflow-main.js', import.meta.url));

test('bench:numaflow at a tiny size prints a row per contender with sane figures and writes them as JSON', { timeout: 120_000 }, async (t) => {
  assert.ok(existsSync(main), `${main} is missing: run \`pnpm build\` first`);
  const out = await mkdtemp(join(tmpdir(), 'tidemark-bench-numaflow-test-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  const args = ['--messages', '300', '--rounds', '2', '--warmup', '20', '--in-flight', '40', '--work', '2', '--threads', '2', '--out', out];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [main, ...args], { timeout: 110_000, encoding: 'utf8' }, (error, printed, stderr) =>
      error === null ? resolve(printed) : reject(new Error(`${error.message}\n${stderr}`)),
    );
  });
  assert.match(stdout, /^# Tidemark as a Numaflow map UDF: CPU-heavy transform$/m);
  assert.match(stdout, / x\d+, \d+ GiB, Node v\d+/, 'the machine is printed beside the figures');
  const rows = stdout.split('\n').filter((line) => /^\| (tidemark|sdk-style) /.test(line));
  assert.equal(rows.length, 2, stdout);
  for (const row of rows) {
    const cells = row.split('|').slice(1, -1).map((cell) => cell.trim());
    assert.equal(cells.length, 8, row);
    assert.match(cells[2] ?? '', /^[\d,]+ \/ [\d,]+$/, `two rounds of msg/s: ${row}`);
    for (const cell of cells.slice(3, 7)) assert.ok(Number(cell.replaceAll(',', '')) > 0, `a positive figure: ${cell} in ${row}`);
  }
  const ratio = Number(/^tidemark \/ sdk-style, msg\/s \(medians\): (\S+)$/m.exec(stdout)?.[1]);
  assert.ok(ratio > 0 && Number.isFinite(ratio), `the ratio: ${ratio}`);

  const json = JSON.parse(await readFile(join(out, 'numaflow.json'), 'utf8')) as { runs: NumaflowRun[]; summaries: NumaflowSummary[] };
  assert.deepEqual(
    json.runs.map((run) => `${run.round} ${run.contender}`),
    ['0 tidemark', '0 sdk-style', '1 sdk-style', '1 tidemark'],
    'the order alternates round by round',
  );
  for (const run of json.runs) {
    assert.equal(run.messages, 300);
    assert.ok(run.messagesPerSecond > 0 && run.seconds > 0);
    assert.ok(run.p50Ms > 0 && run.p50Ms <= run.p99Ms, `p50 ${run.p50Ms} <= p99 ${run.p99Ms}`);
  }
  const tidemark = json.summaries.find((s) => s.contender === 'tidemark');
  assert.equal(tidemark?.ratio.toFixed(2), ratio.toFixed(2), 'the printed ratio is the JSON one');
  assert.match(tidemark?.settings ?? '', /^threads 2, concurrency 32$/);
});
