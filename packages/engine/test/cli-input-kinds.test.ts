import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { cli, cliFixture as fixture, packageDir, parseNdjson, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';
import type { Exit } from './helpers/cli.js';
import { CliSession } from './helpers/cli-session.js';
import { within } from './helpers/wait.js';

// `--input` takes anything readable that is not a folder: a regular file,
// /dev/stdin, /dev/null, a named pipe (mkfifo) and bash's process
// substitution `<(…)` (a /dev/fd/N path) were all refused as "no such file".
// A folder is named as one; a missing file stays "no such file".
before(requireBuiltCli);

const upper = fixture('cli-upper.js');
const lines = ['{"value":"a"}', '{"value":"b"}', '{"value":"c"}'];
const ndjson = `${lines.join('\n')}\n`;

/** The outputs' values, by offset. */
const values = (stdout: string) =>
  parseNdjson(stdout)
    .sort((a, b) => a.offset - b.offset)
    .map((record) => [record.offset, record.value]);
const expected = [
  [0, 'A'],
  [1, 'B'],
  [2, 'C'],
];

/** A named pipe, made with mkfifo, removed after the test. */
async function fifo(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tidemark-cli-fifo-'));
  const path = join(dir, 'in.fifo');
  execFileSync('mkfifo', [path]);
  t.after(async () => {
    // A reader that comes and goes releases the test's own open for writing
    // if the CLI never opened the pipe (it failed): it would hold this process.
    try {
      closeSync(openSync(path, constants.O_RDONLY | constants.O_NONBLOCK));
    } catch {
      // no writer waiting
    }
    await rm(dir, { recursive: true, force: true });
  });
  return path;
}

/** `opening` (the test's open of the pipe for writing), failing if the CLI exits before it opened the pipe. */
function whenOpened<T>(session: CliSession, opening: Promise<T>): Promise<T> {
  const exited = session.exited.then((exit): never => {
    throw new Error(`the CLI exited (${JSON.stringify(exit)}) before it opened the pipe; stderr:\n${session.stderr}`);
  });
  return within(Promise.race([opening, exited]), 'the CLI to open the pipe for reading');
}

test('run --input /dev/null: an empty input, 0 records', async () => {
  const exit = await tidemark(['run', '--transform', upper, '--input', '/dev/null']);
  assert.equal(exit.code, 0, exit.stderr);
  assert.equal(exit.stdout, '');
  assert.match(exit.stderr, /^tidemark: 0 read, 0 outputs, 0 failed /);
});

test('run --input /dev/stdin reads the piped stdin', async () => {
  const exit = await tidemark(['run', '--quiet', '--transform', upper, '--input', '/dev/stdin'], ndjson);
  assert.equal(exit.code, 0, exit.stderr);
  assert.deepEqual(values(exit.stdout), expected);
});

test('run --input <(…): bash process substitution (a /dev/fd/N pipe)', async (t) => {
  const script = `exec "$0" "$1" run --quiet --transform "$2" --input <(printf '%s\\n' ${lines.map((line) => `'${line}'`).join(' ')})`;
  const child = spawn('bash', ['-c', script, process.execPath, cli, upper], { cwd: packageDir });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = await within(
    new Promise<Exit>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    }),
    'the CLI reading a process substitution to exit',
  );
  assert.equal(exit.code, 0, exit.stderr);
  assert.deepEqual(values(exit.stdout), expected);
});

test('run --input <named pipe>: reads what a writer that comes later writes, to its end', async (t) => {
  const path = await fifo(t);
  const session = new CliSession(t, ['--quiet', '--transform', upper, '--input', path]);
  await whenOpened(session, writeFile(path, ndjson)); // opens once the CLI has it open for reading
  const exit = await session.exit();
  assert.deepEqual(exit, { code: 0, signal: null }, session.stderr);
  assert.deepEqual(values(session.stdout), expected);
});

test('run --input <named pipe>: SIGINT while the writer is open but quiet stops the run', async (t) => {
  const path = await fifo(t);
  const session = new CliSession(t, ['--quiet', '--transform', upper, '--input', path]);
  const writer = await whenOpened(session, open(path, 'w'));
  t.after(() => writer.close());
  await writer.write(`${lines[0]}\n`);
  await session.until(() => session.wrote(0), 'the output of offset 0');
  session.child.kill('SIGINT');
  const exit = await session.exit(); // a blocking read of the quiet pipe would hold the process forever
  assert.deepEqual(exit, { code: 130, signal: null }, session.stderr);
  assert.match(session.stderr, /\ntidemark: stopped by SIGINT; committed offset 1 \(resume there to lose nothing\)\n$/);
});

test('run --input <named pipe>: SIGINT while no writer has opened it yet stops the run', async (t) => {
  const path = await fifo(t);
  const session = new CliSession(t, ['--quiet', '--transform', upper, '--input', path, '--metrics-port', '0']);
  // The metrics line comes once the signal handlers are in place.
  await session.until(() => session.stderr.includes('/metrics\n'), 'the metrics address on stderr');
  session.child.kill('SIGINT');
  const exit = await session.exit();
  assert.deepEqual(exit, { code: 130, signal: null }, session.stderr);
  assert.match(session.stderr, /\ntidemark: stopped by SIGINT; committed offset 0 \(resume there to lose nothing\)\n$/);
});

test('run --input <named pipe>: an --output that cannot be opened ends the run at once, the pipe not holding it', async (t) => {
  const path = await fifo(t);
  const output = join(path, '..', 'no', 'such', 'out.ndjson');
  const session = new CliSession(t, ['--quiet', '--transform', upper, '--input', path, '--output', output]);
  const exit = await session.exit();
  assert.deepEqual(exit, { code: 2, signal: null }, session.stderr);
  assert.match(session.stderr, /^tidemark: --output: cannot write .*out\.ndjson: the folder .*\/no\/such does not exist\n$/);
});

test('run --input <folder>: named as a folder; a missing file stays "no such file"', async (t) => {
  const dir = await tempDir(t);
  const folder = await tidemark(['run', '--transform', upper, '--input', dir]);
  assert.equal(folder.code, 2, folder.stderr);
  assert.deepEqual(stderrLines(folder), [`tidemark: --input: is a directory: ${dir}`]);

  const missing = join(dir, 'missing.ndjson');
  const absent = await tidemark(['run', '--transform', upper, '--input', missing]);
  assert.equal(absent.code, 2, absent.stderr);
  assert.deepEqual(stderrLines(absent), [`tidemark: --input: no such file: ${missing}`]);
});
