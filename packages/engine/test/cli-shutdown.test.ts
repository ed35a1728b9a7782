import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { cliFixture as fixture, requireBuiltCli } from './helpers/cli.js';
import { CliSession } from './helpers/cli-session.js';

// SIGINT and SIGTERM to the built `tidemark run`, its stdin a pipe the test
// keeps open. The test acts on what the CLI has printed, never on a clock.
before(requireBuiltCli);

const outputOffsets = (stdout: string): number[] =>
  stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { offset: number }).offset);

const committedOffset = (stderr: string): number => {
  const match = /committed offset (\d+)/.exec(stderr);
  assert.ok(match, `stderr names the committed offset:\n${stderr}`);
  return Number(match[1]);
};

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  test(`run: ${signal} stops reading, finishes what is in flight, loses nothing and exits ${code}`, async (t) => {
    const n = 2000;
    const cli = new CliSession(t, ['--quiet', '--transform', fixture('cli-upper.js'), '--threads', '2']);
    cli.write(Array.from({ length: n }, (_, i) => JSON.stringify({ value: `record ${i}` })));
    await cli.until(() => cli.stdout.includes('\n'), 'a first output');
    cli.child.kill(signal);

    const exit = await cli.exit(); // while its stdin is still open
    assert.deepEqual(exit, { code, signal: null }, cli.stderr);
    const lines = cli.stderr.split('\n').filter((line) => line !== '');
    assert.match(lines[0] ?? '', new RegExp(`^tidemark: ${signal}: stopping; finishing the \\d+ messages in flight`));
    assert.match(lines.at(-2) ?? '', /^tidemark: \d+ read, \d+ outputs, 0 failed /);
    assert.match(lines.at(-1) ?? '', new RegExp(`^tidemark: stopped by ${signal}; committed offset \\d+ \\(resume there to lose nothing\\)$`));

    // Every message read was drained and acked, so the committed offset is
    // one past the last line read: the summary's read count, and more than 0
    // since an output was written before the signal. The outputs are exactly
    // the lines before it, each once: resuming there loses nothing.
    const committed = committedOffset(cli.stderr);
    const summary = /^tidemark: (\d+) read, (\d+) outputs, /.exec(lines.at(-2) ?? '');
    const [read, outputs] = [Number(summary?.[1]), Number(summary?.[2])];
    const written = outputOffsets(cli.stdout);
    assert.ok(committed > 0, `an output was acked before ${signal}, so the committed offset ${committed} is past 0`);
    assert.equal(committed, read, 'the committed offset is one past the last line read');
    assert.ok(read <= n, `${read} of ${n} lines read`);
    assert.equal(outputs, read, 'every line read became an output');
    assert.deepEqual(
      [...written].sort((a, b) => a - b),
      Array.from({ length: committed }, (_, i) => i),
      `the outputs are exactly the lines before the committed offset ${committed}, each once`,
    );
  });
}

// cli-hang.js never settles, so the messages at offsets 0-2 stay in flight.
// The malformed line after them is written out without reaching a worker:
// once it is on stdout, those three have been read and the handlers are in place.
async function hanging(t: TestContext, extra: readonly string[]): Promise<CliSession> {
  const cli = new CliSession(t, ['--quiet', '--transform', fixture('cli-hang.js'), '--threads', '1', ...extra]);
  cli.write(['{"value":0}', '{"value":1}', '{"value":2}', 'not json']);
  await cli.until(() => cli.stdout.includes('\n'), 'the malformed line written out');
  assert.equal(outputOffsets(cli.stdout)[0], 3);
  return cli;
}

test('run: a second SIGINT exits at once with 130 and names the committed offset', async (t) => {
  const cli = await hanging(t, []);
  cli.child.kill('SIGINT');
  await cli.until(() => cli.stderr.includes('stopping'), 'the first signal seen');
  cli.child.kill('SIGINT');

  const exit = await cli.exit();
  assert.deepEqual(exit, { code: 130, signal: null }, cli.stderr);
  assert.match(cli.stderr, /^tidemark: SIGINT: stopping; finishing the 3 messages in flight/);
  assert.match(
    cli.stderr,
    /\ntidemark: SIGINT again: exiting with 3 messages still in flight; committed offset 0 \(resume there to lose nothing\)\n$/,
  );
});

test('run --shutdown-timeout: when draining takes longer, it exits non-zero naming what is still in flight', async (t) => {
  const cli = await hanging(t, ['--shutdown-timeout', '200']);
  cli.child.kill('SIGINT');

  const exit = await cli.exit();
  assert.equal(exit.signal, null);
  assert.equal(exit.code, 1, cli.stderr);
  assert.match(
    cli.stderr,
    /\ntidemark: shutdown timed out after 200 ms: exiting with 3 messages still in flight; committed offset 0 \(resume there to lose nothing\)\n$/,
  );
});

test('run: after a shutdown timeout the progress line does not say the run is done', async (t) => {
  // Progress on: wait for its first line (the run has lasted a second), then stop with a message hung in flight.
  const cli = new CliSession(t, ['--transform', fixture('cli-hang.js'), '--threads', '1', '--shutdown-timeout', '200']);
  cli.write(['{"value":0}', 'not json']);
  await cli.until(() => /^tidemark: \d+ acked, /m.test(cli.stderr), 'a progress line');
  cli.child.kill('SIGINT');

  const exit = await cli.exit();
  assert.equal(exit.code, 1, cli.stderr);
  assert.doesNotMatch(cli.stderr, /done in/, 'a run stopped with a message in flight is not done');
  assert.match(cli.stderr, /^tidemark: 1 acked, .*stopped after [\d.]+ (?:ms|s)\b/m, 'the last progress line says it stopped');
});
