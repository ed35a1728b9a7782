import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { cliFixture as fixture, requireBuiltCli, stderrLines, tidemark } from './helpers/cli.js';

// An error from the engine (every TidemarkError: an option it rejects, a
// transform it cannot load) ends `tidemark run` with one line on stderr,
// `tidemark: <code>: <message>`, and exit 2: never a stack trace, and never
// a message spread over several lines.
before(requireBuiltCli);

const rows: { title: string; args: string[]; line: RegExp }[] = [
  {
    title: '--concurrency 100000000 (rejected by the engine)',
    args: ['--transform', fixture('cli-upper.js'), '--concurrency', '100000000'],
    line: /^tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--concurrency` to be .*, got `100000000` \(number\)$/,
  },
  {
    title: '--threads 100000 (rejected by the engine)',
    args: ['--transform', fixture('cli-upper.js'), '--threads', '100000'],
    line: /^tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--threads` to be an integer from 1 to \d+.*, got `100000` \(number\)$/,
  },
  {
    title: 'a transform module that throws a message of several lines as it loads',
    args: ['--transform', fixture('cli-throw-at-load.js')],
    line: /^tidemark: ERR_TIDEMARK_TRANSFORM_LOAD: cannot load transform module file:\/\/.*cli-throw-at-load\.js: cannot read config\.json: line 3: unexpected token at parse \(config\.js:1:1\)$/,
  },
];

for (const row of rows) {
  test(`run: ${row.title} prints one line with the error's code and exits 2`, async (t) => {
    const exit = await tidemark(['run', '--quiet', ...row.args], '{"value":"a"}\n', t);
    assert.equal(exit.signal, null);
    assert.equal(exit.code, 2, exit.stderr);
    assert.equal(exit.stdout, '');
    const lines = stderrLines(exit);
    assert.equal(lines.length, 1, `one line on stderr:\n${exit.stderr}`);
    assert.match(lines[0] ?? '', row.line);
    assert.doesNotMatch(exit.stderr, /^\s+at /m, 'no stack trace');
  });
}
