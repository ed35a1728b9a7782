import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { cliFixture as fixture, requireBuiltCli, tempDir } from './helpers/cli.js';
import { CliSession } from './helpers/cli-session.js';

// The progress display of `tidemark run` when stderr is not a terminal (here
// a pipe): a plain line about once a second, a last one when the run ends,
// and nothing with --quiet. Offset 0 is held in flight by cli-until-file.js
// until the test creates a file, so each line shows a state the test fixed,
// and the run lasts until the test has seen the lines it waits for.
before(requireBuiltCli);

const duration = String.raw`(?:\d+ ms|\d+\.\d s|\d+m\d\ds)`;
const rate = String.raw`\d+(?:\.\d)? msg/s`;
/** A line while offset 0 is held and offset 1 is acked (no watermark yet: offset 0 was read under none). */
const runningLine = new RegExp(String.raw`^tidemark: 1 acked, ${rate}, in flight 1 \(1/2 at workers\), ${duration} elapsed$`);
/** Any line while it runs (before offset 1 is acked, a worker still loading…). */
const anyRunningLine = new RegExp(String.raw`^tidemark: [01] acked, ${rate}, in flight [0-2] \([0-2]/2 at workers\), ${duration} elapsed$`);
/** The last line: both acked; the watermark is offset 1's event time (its read time). */
const finalLine = new RegExp(String.raw`^tidemark: 2 acked, ${rate}, done in ${duration}, watermark lag ${duration}$`);
const summary = /^tidemark: 2 read, 2 outputs, 0 failed \(0 malformed, 0 too large\), 0 dropped, 0 late, 0 retried in [\d.]+ s$/;

function heldRun(t: TestContext, release: string, extra: readonly string[]): CliSession {
  const cli = new CliSession(t, ['--transform', fixture('cli-until-file.js'), '--threads', '1', '--concurrency', '2', ...extra]);
  cli.write([{ value: { until: release, out: 'held' } }, { value: 'b' }]);
  return cli;
}

const lines = (stderr: string) => stderr.split('\n').filter((line) => line !== '');

test('run with stderr not a TTY: plain progress lines while it runs, a last one at the end; none with --quiet', async (t) => {
  const dir = await tempDir(t);
  const release = join(dir, 'release');
  // The quiet run starts first: once it has written offset 1, its progress
  // display would have been started, so it runs at least as long as the
  // other one, which prints two lines before either is released.
  const quiet = heldRun(t, release, ['--quiet']);
  await quiet.until(() => quiet.wrote(1), 'the quiet run to write offset 1');
  const shown = heldRun(t, release, []);
  await shown.until(() => shown.wrote(1), 'offset 1 written');
  await shown.until(() => lines(shown.stderr).filter((line) => runningLine.test(line)).length >= 2, 'two progress lines with offset 1 acked');
  for (const line of lines(shown.stderr)) assert.match(line, anyRunningLine);
  assert.equal(quiet.stderr, '', 'nothing on stderr with --quiet while it runs');

  await writeFile(release, '');
  quiet.end();
  shown.end();
  assert.deepEqual(await shown.exit(), { code: 0, signal: null }, shown.stderr);
  assert.deepEqual(await quiet.exit(), { code: 0, signal: null }, quiet.stderr);

  // eslint-disable-next-line no-control-regex -- looks for escape sequences
  assert.doesNotMatch(shown.stderr, /[\r\x1b]/, 'plain lines: no carriage return, no escape sequence');
  const all = lines(shown.stderr);
  assert.match(all.at(-1) ?? '', summary);
  assert.match(all.at(-2) ?? '', finalLine);
  for (const line of all.slice(0, -2)) assert.match(line, anyRunningLine);

  assert.equal(lines(quiet.stderr).length, 1, `only the summary with --quiet:\n${quiet.stderr}`);
  assert.match(lines(quiet.stderr)[0] ?? '', summary);
  for (const cli of [shown, quiet]) {
    assert.deepEqual(
      cli.records().map((record) => [record.offset, record.value]),
      [
        [0, 'held'],
        [1, 'b'],
      ],
    );
  }
});
