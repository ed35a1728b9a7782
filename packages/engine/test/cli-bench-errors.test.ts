import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { cliFixture, requireBuiltCli, stderrLines, tidemark } from './helpers/cli.js';
import { within } from './helpers/wait.js';

// A bench the command line cannot describe ends before anything runs: one
// line on stderr naming the flag the user typed, `tidemark: --flag: …` (the
// engine's own errors about an option as ``Expected `--flag` …``), exit 2,
// nothing on stdout. The rows that get as far as an input read from a named
// pipe no one writes: a bench that read its input (or ran anything) before
// refusing would wait on it for good, so each row also shows that the
// check comes first.
before(requireBuiltCli);

const transform = cliFixture('bench-skew.js');
const input = cliFixture('bench-skew.ndjson');
const dir = mkdtempSync(join(tmpdir(), 'tidemark-bench-errors-'));
const fifo = join(dir, 'never-written.ndjson');
execFileSync('mkfifo', [fifo]);
after(() => rm(dir, { recursive: true, force: true }));

/** A bench of `transform` over the named pipe, with `args`. */
const onPipe = (...args: string[]): string[] => ['--transform', transform, '--input', fifo, ...args];
const engineError = (flag: string, expected: string): RegExp => new RegExp(`^tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected \`${flag}\` to be ${expected}`);

const rows: { args: string[]; line: RegExp }[] = [
  { args: ['--transform', transform, '--no-report'], line: /^tidemark: --transform: needs --input <file>/ },
  { args: ['--input', input, '--no-report'], line: /^tidemark: --input: needs --transform <module>/ },
  { args: ['--concurrency', ''], line: /^tidemark: --concurrency: expected a comma-separated list of integers from 1 to \d+, such as 8,32,128, got ""$/ },
  { args: ['--concurrency', '8,,32'], line: /^tidemark: --concurrency: expected a comma-separated list .*, got "8,,32"$/ },
  { args: ['--concurrency', '8,0'], line: /^tidemark: --concurrency: "0" is not an integer from 1 to \d+/ },
  { args: ['--concurrency', '-4'], line: /^tidemark: --concurrency: "-4" is not an integer from 1 to \d+/ },
  { args: ['--concurrency', '2.5'], line: /^tidemark: --concurrency: "2.5" is not an integer from 1 to \d+/ },
  { args: ['--concurrency', 'eight'], line: /^tidemark: --concurrency: "eight" is not an integer from 1 to \d+/ },
  { args: ['--concurrency', '8,8'], line: /^tidemark: --concurrency: 8 is listed twice in "8,8"/ },
  { args: ['--modes', 'async,fast'], line: /^tidemark: --modes: unknown mode "fast" \(expected a comma-separated list of async, batch\)$/ },
  { args: ['--modes', ''], line: /^tidemark: --modes: expected a comma-separated list of async, batch, got ""$/ },
  { args: onPipe('--seed', '7'), line: /^tidemark: --seed: applies to the built-in workload only, not with --transform$/ },
  { args: ['--timeout', '100', '--no-report'], line: /^tidemark: --timeout: applies with --transform only/ },
  { args: ['--transform', transform, '--input', 'no-such-file.ndjson'], line: /^tidemark: --input: no such file: no-such-file\.ndjson$/ },
  // --report: checked as run checks --output, before the input is read or anything runs.
  { args: onPipe('--report', '/nonexistent/x.html'), line: /^tidemark: --report: cannot write \/nonexistent\/x\.html: the folder \/nonexistent does not exist$/ },
  { args: onPipe('--report', dir), line: new RegExp(`^tidemark: --report: cannot write ${dir}: it is a folder$`) },
  { args: onPipe('--report', ''), line: /^tidemark: --report: expected a file name, got ""$/ },
  // The engine's checks of every setting's options, under the flags that set them.
  { args: onPipe('--threads', '1000'), line: engineError('--threads', 'an integer from 1 to \\d+') },
  { args: ['--transform', '/tmp', '--input', fifo], line: engineError('--transform', 'a module file, not a directory, got `"/tmp"`') },
  { args: ['--transform', 'https://x.y/t.js', '--input', fifo], line: engineError('--transform', 'a file: or data: module') },
  { args: ['--transform', './nonexistent.mjs', '--input', fifo], line: engineError('--transform', 'the path or URL of an existing module') },
  // The built-in workload's settings are checked the same way.
  { args: ['--threads', '1000', '--no-report'], line: engineError('--threads', 'an integer from 1 to \\d+') },
];

/** The one line `bench <args>` printed, having exited 2 with nothing on stdout. */
async function refused(t: TestContext, command: string, args: string[]): Promise<string> {
  const exit = await within(tidemark([command, ...args], undefined, t), `${command} ${args.join(' ')} to exit without reading its input`);
  assert.equal(exit.code, 2, exit.stderr);
  assert.equal(exit.stdout, '');
  const lines = stderrLines(exit);
  assert.equal(lines.length, 1, `one line on stderr:\n${exit.stderr}`);
  return lines[0] ?? '';
}

/** The arguments as a test name: fixtures and temporary paths by their names. */
const shown = (args: readonly string[]): string =>
  args.map((a) => (a === '' ? "''" : a.replace(/.*\/fixtures\//, '').replace(dir, '<tmp>'))).join(' ');

for (const row of rows) {
  test(`bench ${shown(row.args)}: one line naming the flag, exit 2, before anything is read or run`, async (t) => {
    assert.match(await refused(t, 'bench', row.args), row.line);
  });
}

test('demo is another name for bench: the same refusal', async (t) => {
  assert.match(await refused(t, 'demo', ['--modes', 'async,fast']), /^tidemark: --modes: unknown mode "fast"/);
});
