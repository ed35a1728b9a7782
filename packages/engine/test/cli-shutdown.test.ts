import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { cli, cliFixture as fixture, packageDir, requireBuiltCli } from './helpers/cli.js';

// SIGINT and SIGTERM to the built `tidemark run`, its stdin a pipe the test
// keeps open. The test acts on what the CLI has printed, never on a clock.
before(requireBuiltCli);

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running CLI whose stdin stays open until the test ends. */
class Cli {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<Exit>;
  stdout = '';
  stderr = '';
  #waiters: (() => void)[] = [];

  constructor(t: TestContext, args: readonly string[]) {
    this.child = spawn(process.execPath, [cli, 'run', '--quiet', ...args], { cwd: packageDir });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.#seen(() => (this.stdout += chunk)));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => this.#seen(() => (this.stderr += chunk)));
    // The CLI closes its end of stdin when it stops reading; what the test
    // wrote and it never read is reported as EPIPE here.
    this.child.stdin.on('error', () => {});
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => resolve({ code, signal }));
    });
    t.after(() => {
      this.child.stdin.destroy();
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    });
  }

  write(lines: readonly string[]): void {
    this.child.stdin.write(lines.map((line) => `${line}\n`).join(''));
  }

  /** Resolves once `condition` holds on what the CLI printed; rejects if it exits first. */
  until(condition: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return false;
        resolve();
        return true;
      };
      if (check()) return;
      this.#waiters.push(() => void check());
      void this.exited.then(() => {
        if (!check()) reject(new Error(`the CLI exited first; stderr:\n${this.stderr}`));
      });
    });
  }

  #seen(append: () => void): void {
    append();
    for (const waiter of this.#waiters) waiter();
  }
}

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
    const cli = new Cli(t, ['--transform', fixture('cli-upper.js'), '--threads', '2']);
    cli.write(Array.from({ length: n }, (_, i) => JSON.stringify({ value: `record ${i}` })));
    await cli.until(() => cli.stdout.includes('\n'));
    cli.child.kill(signal);

    const exit = await cli.exited; // while its stdin is still open
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
async function hanging(t: TestContext, extra: readonly string[]): Promise<Cli> {
  const cli = new Cli(t, ['--transform', fixture('cli-hang.js'), '--threads', '1', ...extra]);
  cli.write(['{"value":0}', '{"value":1}', '{"value":2}', 'not json']);
  await cli.until(() => cli.stdout.includes('\n'));
  assert.equal(outputOffsets(cli.stdout)[0], 3);
  return cli;
}

test('run: a second SIGINT exits at once with 130 and names the committed offset', async (t) => {
  const cli = await hanging(t, []);
  cli.child.kill('SIGINT');
  await cli.until(() => cli.stderr.includes('stopping'));
  cli.child.kill('SIGINT');

  const exit = await cli.exited;
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

  const exit = await cli.exited;
  assert.equal(exit.signal, null);
  assert.equal(exit.code, 1, cli.stderr);
  assert.match(
    cli.stderr,
    /\ntidemark: shutdown timed out after 200 ms: exiting with 3 messages still in flight; committed offset 0 \(resume there to lose nothing\)\n$/,
  );
});
