import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { cliFixture, requireBuiltCli, stderrLines, tidemark } from './helpers/cli.js';

// A bench the command line cannot describe ends before anything runs: one
// line on stderr naming the flag, `tidemark: --flag: …`, exit 2, nothing on stdout.
before(requireBuiltCli);

const transform = cliFixture('bench-skew.js');
const input = cliFixture('bench-skew.ndjson');
const rows: { args: string[]; line: RegExp }[] = [
  { args: ['--transform', transform], line: /^tidemark: --transform: needs --input <file>/ },
  { args: ['--input', input], line: /^tidemark: --input: needs --transform <module>/ },
  { args: ['--concurrency', ''], line: /^tidemark: --concurrency: expected a comma-separated list of integers from 1 to \d+, such as 8,32,128, got ""$/ },
  { args: ['--concurrency', '8,,32'], line: /^tidemark: --concurrency: expected a comma-separated list .*, got "8,,32"$/ },
  { args: ['--concurrency', '8,0'], line: /^tidemark: --concurrency: "0" is not an integer from 1 to \d+/ },
  { args: ['--concurrency', '-4'], line: /^tidemark: --concurrency: "-4" is not an integer from 1 to \d+/ },
  { args: ['--concurrency', '2.5'], line: /^tidemark: --concurrency: "2.5" is not an integer from 1 to \d+/ },
  { args: ['--concurrency', 'eight'], line: /^tidemark: --concurrency: "eight" is not an integer from 1 to \d+/ },
  { args: ['--concurrency', '8,8'], line: /^tidemark: --concurrency: 8 is listed twice in "8,8"/ },
  { args: ['--modes', 'async,fast'], line: /^tidemark: --modes: unknown mode "fast" \(expected a comma-separated list of async, batch\)$/ },
  { args: ['--modes', ''], line: /^tidemark: --modes: expected a comma-separated list of async, batch, got ""$/ },
  { args: ['--transform', transform, '--input', input, '--seed', '7'], line: /^tidemark: --seed: applies to the built-in workload only, not with --transform$/ },
  { args: ['--transform', transform, '--input', 'no-such-file.ndjson'], line: /^tidemark: --input: no such file: no-such-file\.ndjson$/ },
];

for (const row of rows) {
  for (const command of ['bench', 'demo']) {
    test(`${command} ${row.args.map((a) => (a === '' ? "''" : a.replace(/.*\/fixtures\//, ''))).join(' ')}: one line naming the flag, exit 2`, async (t) => {
      const exit = await tidemark([command, ...row.args, '--no-report'], undefined, t);
      assert.equal(exit.code, 2, exit.stderr);
      assert.equal(exit.stdout, '');
      const lines = stderrLines(exit);
      assert.equal(lines.length, 1, `one line on stderr:\n${exit.stderr}`);
      assert.match(lines[0] ?? '', row.line);
    });
  }
}
