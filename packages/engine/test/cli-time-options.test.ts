import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { cliFixture as fixture, requireBuiltCli, stderrLines, tidemark } from './helpers/cli.js';
import { CliSession } from './helpers/cli-session.js';

// Every CLI option in milliseconds is bounded to what a Node timer holds
// (2^31 - 1 ms, about 24.8 days). Past it Node clamps a timer to 1 ms:
// `--shutdown-timeout 3000000000` gave up 1 ms after SIGINT instead of
// waiting. Such a value is refused, naming the flag and the bound.
before(requireBuiltCli);

const largest = 2 ** 31 - 1;

const flags: { command: 'run' | 'demo'; flag: string }[] = [
  { command: 'run', flag: '--shutdown-timeout' },
  { command: 'run', flag: '--idle-after' },
  { command: 'run', flag: '--max-out-of-orderness' },
  { command: 'run', flag: '--timeout' },
  { command: 'run', flag: '--retry-initial' },
  { command: 'run', flag: '--retry-max' },
  { command: 'run', flag: '--allowed-lateness' },
  { command: 'demo', flag: '--mean-ms' },
];

for (const { command, flag } of flags) {
  test(`${command} ${flag}: a value past 2^31 - 1 ms is refused, naming the flag and the bound`, async (t) => {
    for (const value of ['3000000000', String(largest + 1), '1e300']) {
      const args = command === 'run' ? ['run', '--transform', fixture('cli-upper.js'), flag, value] : ['demo', '--no-report', flag, value];
      const exit = await tidemark(args, '', t);
      assert.equal(exit.code, 2, exit.stderr);
      assert.equal(exit.stdout, '');
      const [first] = stderrLines(exit);
      assert.equal(
        first,
        `error: option '${flag} <ms>' argument '${value}' is invalid. expected a number of ms from 0 to ${largest} (the longest a Node timer waits)`,
        exit.stderr,
      );
    }
  });
}

test('run: the largest time values are accepted', async () => {
  const exit = await tidemark(
    [
      'run',
      '--quiet',
      '--transform',
      fixture('cli-upper.js'),
      ...['--shutdown-timeout', '--idle-after', '--max-out-of-orderness', '--timeout', '--retry-initial', '--retry-max'].flatMap((flag) => [
        flag,
        String(largest),
      ]),
    ],
    '{"value":"a"}\n',
  );
  assert.equal(exit.code, 0, exit.stderr);
  const lines = exit.stdout.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, 'the one record was processed');
  assert.equal((JSON.parse(lines[0] ?? '') as { value?: unknown }).value, 'A', exit.stdout);
  assert.doesNotMatch(exit.stderr, /TimeoutOverflowWarning/);
});

test('run --shutdown-timeout 2147483647: after SIGINT it keeps waiting for what is in flight until a second signal', async (t) => {
  // cli-hang.js never settles, so offset 0 stays in flight. Had the timer been
  // clamped to 1 ms, the run would exit 1 ("shutdown timed out") by itself;
  // bounded, only the second SIGINT can end it, with 130.
  const cli = new CliSession(t, ['--quiet', '--transform', fixture('cli-hang.js'), '--threads', '1', '--shutdown-timeout', String(largest)]);
  cli.write(['{"value":0}', 'not json']);
  await cli.until(() => cli.stdout.includes('\n'), 'the malformed line written out (offset 0 read before it)');
  cli.child.kill('SIGINT');
  await cli.until(() => cli.stderr.includes('stopping'), 'the first signal seen');
  cli.child.kill('SIGINT');

  const exit = await cli.exit();
  assert.deepEqual(exit, { code: 130, signal: null }, cli.stderr);
  assert.doesNotMatch(cli.stderr, /shutdown timed out|TimeoutOverflowWarning/);
  assert.match(cli.stderr, /\ntidemark: SIGINT again: exiting with 1 message still in flight; committed offset 0 /);
});
