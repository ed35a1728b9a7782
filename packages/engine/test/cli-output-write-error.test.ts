import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import { cli, cliFixture as fixture, packageDir, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';
import { within } from './helpers/wait.js';

// Writing the output fails: a full device (`--output /dev/full`, or stdout
// redirected to it), or stdout closed (`>&-`). `tidemark run` names the
// flag, prints the summary and the committed offset to resume from, and
// exits 74 (sysexits' EX_IOERR): never a bare `ENOSPC` line and exit 2, nor
// exit 0 with nothing written.
before(requireBuiltCli);

const lines = 200;
const input = Array.from({ length: lines }, (_, n) => JSON.stringify({ value: n })).join('\n') + '\n';
const summary = /^tidemark: \d+ read, \d+ outputs, 0 failed \(0 malformed, 0 too large\), 0 dropped, \d+ late, 0 retried in [\d.]+ s$/;

/** Run `command` in bash from the engine package's folder; its exit status and stderr, whatever the status. */
async function bash(command: string): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await within(promisify(execFile)('bash', ['-c', command], { cwd: packageDir }), command);
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stderr: failed.stderr ?? '' };
  }
}

test('run --output /dev/full: names --output and why, prints the summary and the committed offset, exits 74', async (t) => {
  const dir = await tempDir(t);
  const checkpoint = join(dir, 'checkpoint');
  const exit = await tidemark(['run', '--transform', fixture('cli-upper.js'), '--output', '/dev/full', '--checkpoint', checkpoint, '--quiet'], input, t);
  assert.equal(exit.code, 74, exit.stderr);
  const stderr = stderrLines(exit);
  assert.doesNotMatch(exit.stderr, /^\s+at /m, 'no stack trace');
  assert.match(stderr.at(-2) ?? '', summary, exit.stderr);
  const failed = /^tidemark: --output: cannot write \/dev\/full: no space left on device \(ENOSPC\); 0 records were written; stopped reading; committed offset (\d+) \(resume there: every record before it was written\)$/.exec(
    stderr.at(-1) ?? '',
  );
  assert.ok(failed, exit.stderr);
  assert.equal(failed[1], '0', 'nothing reached the device');
  assert.equal(await readFile(checkpoint, 'utf8'), '0\n', 'the checkpoint holds the committed offset');
});

test('run > /dev/full (stdout): names --output (stdout) and exits 74', async () => {
  const { code, stderr } = await bash(`printf '{"value":1}\\n' | "${process.execPath}" "${cli}" run --transform "${fixture('cli-upper.js')}" --quiet >/dev/full`);
  assert.equal(code, 74, stderr);
  assert.match(stderr, /^tidemark: --output: cannot write stdout: no space left on device \(ENOSPC\); 0 records were written; stopped reading; committed offset 0 /m);
  assert.match(stderr, /^tidemark: 1 read, /m, 'the summary');
});

test('run with stdout closed (>&-) is refused before anything is read, naming --output', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'in.ndjson');
  await writeFile(path, input);
  const { code, stderr } = await bash(`"${process.execPath}" "${cli}" run --transform "${fixture('cli-upper.js')}" --input "${path}" --quiet >&-`);
  assert.equal(code, 2, stderr);
  assert.equal(stderr, 'tidemark: --output: stdout is closed (>&-): the records written there would be lost; redirect it, or give --output a file (--output /dev/null to discard them)\n');
});

test('bench --json --no-report with stdout closed (>&-) is refused, saying stdout is closed (nothing would keep the results)', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'in.ndjson');
  await writeFile(path, input);
  const { code, stderr } = await bash(
    `"${process.execPath}" "${cli}" bench --transform "${fixture('cli-upper.js')}" --input "${path}" --concurrency 2 --json --no-report --quiet >&-`,
  );
  assert.equal(code, 2, stderr);
  assert.match(stderr, /^tidemark: stdout is closed \(>&-\) and --no-report is given: the results would be lost; redirect stdout, or write the report\n$/);
});

test('run --dead-letter on a full device: names --dead-letter and exits 74', async (t) => {
  // Ordered: offset 0 (an output) is written and acked before offset 1 (failed) meets the full device.
  const exit = await tidemark(['run', '--transform', fixture('cli-throw-odd.js'), '--dead-letter', '/dev/full', '--attempts', '1', '--ordered', '--quiet'], input, t);
  assert.equal(exit.code, 74, exit.stderr);
  assert.doesNotMatch(exit.stderr, /^\s+at /m, 'no stack trace');
  assert.match(exit.stderr, /^tidemark: --dead-letter: cannot write \/dev\/full: no space left on device \(ENOSPC\); 0 lines were written; stopped reading; committed offset 1 /m);
  assert.doesNotMatch(exit.stderr, /written to \/dev\/full/, 'not said to hold the failed records it could not take');
});
