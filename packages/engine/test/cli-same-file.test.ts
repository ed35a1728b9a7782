import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { link, open, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { cli, cliFixture as fixture, packageDir, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';
import type { Exit } from './helpers/cli.js';
import { within } from './helpers/wait.js';

// `tidemark run` refuses to write to its own input: `--output x --input x`
// used to truncate x before reading it, so the user's input was gone and the
// run "succeeded" with 0 records. The same holds through a symlink or a hard
// link (the same device and inode), for --dead-letter and --checkpoint, and
// for stdin or stdout redirected from or to the input. Nothing is opened for
// writing first: the input keeps its bytes and no other output file appears.
before(requireBuiltCli);

const input = '{"value":"a"}\n{"value":"b"}\n';

interface Files {
  readonly dir: string;
  readonly in: string;
  /** Where an output goes when the case is about another path: it must not appear. */
  readonly fresh: string;
}

async function files(t: TestContext): Promise<Files> {
  const dir = await tempDir(t);
  const files = { dir, in: join(dir, 'in.ndjson'), fresh: join(dir, 'fresh.ndjson') };
  await writeFile(files.in, input);
  return files;
}

/** The CLI refused with one line on stderr and exit 2, leaving the input as it was and creating nothing. */
async function assertRefused(exit: Exit, files: Files, line: RegExp): Promise<void> {
  assert.equal(exit.signal, null);
  assert.equal(exit.code, 2, exit.stderr);
  assert.deepEqual(stderrLines(exit).length, 1, exit.stderr);
  assert.match(exit.stderr, line);
  assert.equal(await readFile(files.in, 'utf8'), input, 'the input keeps its records');
  assert.equal(existsSync(files.fresh), false, 'no output file was created');
}

const run = (args: readonly string[]) => tidemark(['run', '--quiet', '--transform', fixture('cli-upper.js'), ...args]);

test('run: --output naming the input file is refused before anything is written', async (t) => {
  const f = await files(t);
  const exit = await run(['--input', f.in, '--output', f.in, '--dead-letter', f.fresh]);
  await assertRefused(exit, f, /^tidemark: --output: .*in\.ndjson is the input file .*in\.ndjson; writing it would empty the input\n$/);
});

test('run: --output naming the input through a symlink is refused', async (t) => {
  const f = await files(t);
  const alias = join(f.dir, 'alias.ndjson');
  await symlink(f.in, alias);
  const exit = await run(['--input', f.in, '--output', alias, '--dead-letter', f.fresh]);
  await assertRefused(exit, f, /^tidemark: --output: .*alias\.ndjson is the input file .*in\.ndjson; writing it would empty the input\n$/);
});

test('run: --output naming the input through a hard link is refused', async (t) => {
  const f = await files(t);
  const alias = join(f.dir, 'hard.ndjson');
  await link(f.in, alias);
  const exit = await run(['--input', alias, '--output', f.in, '--dead-letter', f.fresh]);
  await assertRefused(exit, f, /^tidemark: --output: .*in\.ndjson is the input file .*hard\.ndjson; writing it would empty the input\n$/);
});

test('run: --dead-letter naming the input (directly or through a link) is refused', async (t) => {
  const f = await files(t);
  const hard = join(f.dir, 'hard.ndjson');
  await link(f.in, hard);
  for (const deadLetter of [f.in, hard]) {
    const exit = await run(['--input', f.in, '--output', f.fresh, '--dead-letter', deadLetter]);
    await assertRefused(exit, f, /^tidemark: --dead-letter: .* is the input file .*in\.ndjson; writing it would empty the input\n$/);
  }
});

test('run: --checkpoint naming the input is refused (its rename would replace the input)', async (t) => {
  const f = await files(t);
  const exit = await run(['--input', f.in, '--output', f.fresh, '--checkpoint', f.in]);
  await assertRefused(exit, f, /^tidemark: --checkpoint: .*in\.ndjson is the input file .*in\.ndjson; writing it would replace the input\n$/);
});

test('run: two outputs naming the same file are refused', async (t) => {
  const f = await files(t);
  const out = join(f.dir, 'out.ndjson');
  const exit = await run(['--input', f.in, '--output', out, '--dead-letter', out]);
  await assertRefused(exit, f, /^tidemark: --dead-letter: .*out\.ndjson is the same file as --output .*out\.ndjson\n$/);
  assert.equal(existsSync(out), false, 'not even the first output was created');
});

/** The CLI with its stdin and stdout the files given (as `< in >> out` in a shell). */
async function redirected(t: TestContext, args: readonly string[], stdin: string, stdout: string): Promise<Exit> {
  const inHandle = await open(stdin, 'r');
  const outHandle = await open(stdout, 'a');
  t.after(() => Promise.all([inHandle.close(), outHandle.close()]));
  const child = spawn(process.execPath, [cli, 'run', '--quiet', '--transform', fixture('cli-upper.js'), ...args], {
    cwd: packageDir,
    stdio: [inHandle.fd, outHandle.fd, 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ended = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: '', stderr }));
  });
  return within(ended, `the CLI to exit; stderr so far:\n${stderr}`);
}

test('run: stdin redirected from the --output file is refused (`tidemark run --output x < x`)', async (t) => {
  const f = await files(t);
  const out = join(f.dir, 'stdout.ndjson');
  await writeFile(out, '');
  const exit = await redirected(t, ['--output', f.in], f.in, out);
  await assertRefused(exit, f, /^tidemark: --output: .*in\.ndjson is the input file \(stdin\); writing it would empty the input\n$/);
});

test('run: stdout appending to the input file is refused (`tidemark run --input x >> x` would never end)', async (t) => {
  const f = await files(t);
  const exit = await redirected(t, ['--input', f.in], f.in, f.in);
  await assertRefused(exit, f, /^tidemark: --output: stdout is the input file .*in\.ndjson; writing it would overwrite the input\n$/);
});

test('run: /dev/null as the output and the dead-letter file at once is fine (not a regular file)', async (t) => {
  const f = await files(t);
  const exit = await run(['--input', f.in, '--output', '/dev/null', '--dead-letter', '/dev/null']);
  assert.equal(exit.code, 0, exit.stderr);
  assert.equal(await readFile(f.in, 'utf8'), input);
});
