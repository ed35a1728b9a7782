import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import { cli, cliFixture as fixture, packageDir, parseNdjson, requireBuiltCli, tempDir } from './helpers/cli.js';
import { within } from './helpers/wait.js';

// `tidemark run … | head -5`, through a real shell pipeline: head exits
// after five lines, the run's next write fails (EPIPE), and the run stops
// reading, says how many records it wrote and the committed offset to resume
// from, and exits 141 (128 + SIGPIPE, as a shell reports a writer SIGPIPE
// killed). Not a race: the outputs (2000 of 4 KiB) are far more than a pipe
// and head can take (a pipe holds 64 KiB, at most 1 MiB), so the writes
// must fail whenever head exits.
before(requireBuiltCli);

const messages = 2000;

test('run | head -5: the run stops reading, names the records written and the committed offset, and exits 141', async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'in.ndjson');
  await writeFile(input, `${JSON.stringify({ value: { kind: 'string', length: 4096 } })}\n`.repeat(messages));
  const stderr = join(dir, 'stderr');
  const status = join(dir, 'status');
  // Ordered: the records are written in offset order, so the committed offset is checkable.
  const run = `"${process.execPath}" "${cli}" run --transform "${fixture('expand.js')}" --input "${input}" --ordered --threads 1 --concurrency 4`;
  const { stdout } = await within(
    promisify(execFile)('sh', ['-c', `{ ${run} 2>"${stderr}"; echo "$?" >"${status}"; } | head -5`], { cwd: packageDir }),
    'the pipeline to end',
  );

  assert.deepEqual(
    parseNdjson(stdout).map((record) => [record.kind, record.offset]),
    [0, 1, 2, 3, 4].map((offset) => ['output', offset]),
    'head printed the first five records',
  );
  assert.equal((await readFile(status, 'utf8')).trim(), '141', 'the exit status');
  const lines = (await readFile(stderr, 'utf8')).split('\n').filter((line) => line !== '');
  const summary = /^tidemark: (\d+) read, (\d+) outputs, 0 failed \(0 malformed, 0 too large\), 0 dropped, \d+ late, 0 retried in [\d.]+ s$/.exec(lines.at(-2) ?? '');
  assert.ok(summary, lines.join('\n'));
  const read = Number(summary[1]);
  assert.ok(read < messages, `reading stopped: ${read} of ${messages} lines read`);
  // True of what head did: it took five records, the pipe held more that it never read.
  const closed =
    /^tidemark: the output was closed \(EPIPE\) after (\d+) records were written; stopped reading; committed offset (\d+): every record before it was written to the output, but a reader that closed early \(such as head\) may not have read them all; resume from \2 to continue after what was written, or from an earlier offset to redo what the reader did not take$/.exec(
      lines.at(-1) ?? '',
    );
  assert.ok(closed, `the last line says the output closed:\n${lines.join('\n')}`);
  const written = Number(closed[1]);
  const committed = Number(closed[2]);
  assert.ok(written >= 5, `head read ${written} or more records`);
  // In order, one record per message: offsets 0 .. written - 1 reached the pipe, the next did not.
  assert.equal(committed, written, 'the committed offset is the first record that was not written');
});

test('run --help into a pipe whose reader has gone: exit 141 as for a closed output, no stack trace', async (t) => {
  // The pipe's only reader (`true`) has exited before tidemark starts: its first write fails with EPIPE.
  const script = `exec 3> >(true); wait $!; "${process.execPath}" "${cli}" run --help >&3 2>"$1"; echo "$?"`;
  const stderrPath = join(await tempDir(t), 'stderr');
  const { stdout } = await within(promisify(execFile)('bash', ['-c', script, 'bash', stderrPath], { cwd: packageDir }), 'the help into a closed pipe');
  const stderr = await readFile(stderrPath, 'utf8');
  assert.equal(stdout.trim(), '141', stderr);
  assert.equal(stderr, '', 'nothing on stderr: the reader went away, as with | head');
});
