import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { allLimited, cliFixture as fixture, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';

// An error about something the user typed names the flag they typed: the
// engine's option errors (``Expected `--input-overflow` …``, not the engine's
// `buffers.input.overflow`), and a path given to --output, --dead-letter or
// --checkpoint that cannot be written (one line saying what is wrong, once;
// exit 2; no file emptied first).
before(requireBuiltCli);

const upper = fixture('cli-upper.js');

test('run: an option the engine refuses is named by its flag', async (t) => {
  const rows: { flags: string[]; line: string | RegExp }[] = [
    {
      flags: ['--mode', 'batch', '--input-overflow', 'drop-newest'],
      line: "tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--input-overflow` to be 'block' in batch mode (a batch leaves whole), got `\"drop-newest\"` (string)",
    },
    {
      flags: ['--mode', 'batch', '--output-overflow', 'reject'],
      line: "tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--output-overflow` to be 'block' in batch mode (a batch leaves whole), got `\"reject\"` (string)",
    },
    {
      flags: ['--mode', 'batch', '--batch-size', '100', '--output-buffer', '50'],
      line: 'tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--output-buffer` to be at least --batch-size (100) in batch mode, got `50` (number)',
    },
    {
      flags: ['--retry-initial', '50', '--retry-max', '20'],
      line: 'tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--retry-max` to be at least --retry-initial (50), got `20` (number)',
    },
    {
      flags: ['--ring-bytes', '4097'],
      line: 'tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--ring-bytes` to be a power of two from 4096 to 2^30, got `4097` (number)',
    },
    {
      flags: ['--concurrency', '100000000'],
      line: /^tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--concurrency` to be an integer from 1 to 1000000 .*, got `100000000` \(number\)$/,
    },
  ];
  // Independent processes, each refused up front: started a few at a time, checked in order.
  const exits = await allLimited(rows.map((row) => () => tidemark(['run', '--quiet', '--transform', upper, ...row.flags], '{"value":"a"}\n', t)));
  for (const [i, row] of rows.entries()) {
    const exit = exits[i]!;
    assert.equal(exit.code, 2, `${row.flags.join(' ')}: ${exit.stderr}`);
    assert.equal(exit.stdout, '');
    const lines = stderrLines(exit);
    assert.equal(lines.length, 1, exit.stderr);
    if (typeof row.line === 'string') assert.equal(lines[0], row.line);
    else assert.match(lines[0] ?? '', row.line);
  }
});

test('run: an --output, --dead-letter or --checkpoint in a folder that does not exist: one line naming the flag, exit 2', async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'in.ndjson');
  await writeFile(input, '{"value":"a"}\n');
  const missing = join(dir, 'no', 'such');
  const rows = [
    ['--output', 'out.ndjson'],
    ['--dead-letter', 'failed.ndjson'],
    ['--checkpoint', 'offset'],
  ] as const;
  // Independent processes, each refused up front: started together, checked in order.
  const exits = await allLimited(rows.map(([flag, name]) => () => tidemark(['run', '--quiet', '--transform', upper, '--input', input, flag, join(missing, name)], undefined, t)));
  for (const [i, [flag, name]] of rows.entries()) {
    const path = join(missing, name);
    const exit = exits[i]!;
    assert.equal(exit.code, 2, `${flag}: ${exit.stderr}`);
    assert.equal(exit.stdout, '');
    assert.deepEqual(stderrLines(exit), [`tidemark: ${flag}: cannot write ${path}: the folder ${missing} does not exist`]);
  }
});

test('run: an --output that is a folder, or a --dead-letter under a file, is named; the --output file is left as it was', async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'in.ndjson');
  await writeFile(input, '{"value":"a"}\n');
  const folder = join(dir, 'folder');
  await mkdir(folder);
  const asFolder = await tidemark(['run', '--quiet', '--transform', upper, '--input', input, '--output', folder], undefined, t);
  assert.equal(asFolder.code, 2, asFolder.stderr);
  assert.deepEqual(stderrLines(asFolder), [`tidemark: --output: cannot write ${folder}: it is a folder`]);

  // The output exists and is kept: nothing is opened for writing while a later path is refused.
  const output = join(dir, 'out.ndjson');
  await writeFile(output, 'kept\n');
  const underFile = join(input, 'failed.ndjson');
  const exit = await tidemark(['run', '--quiet', '--transform', upper, '--input', input, '--output', output, '--dead-letter', underFile], undefined, t);
  assert.equal(exit.code, 2, exit.stderr);
  assert.deepEqual(stderrLines(exit), [`tidemark: --dead-letter: cannot write ${underFile}: ${input} is not a folder`]);
  assert.equal(await readFile(output, 'utf8'), 'kept\n', 'the --output file was not emptied');
});

test("run: an empty --input, --output, --dead-letter or --checkpoint path ('') says a file name was expected and the empty one given", async (t) => {
  const flags = ['--input', '--output', '--dead-letter', '--checkpoint'];
  // Independent processes, each refused up front: started together, checked in order.
  const exits = await allLimited(flags.map((flag) => () => tidemark(['run', '--quiet', '--transform', upper, flag, ''], '{"value":"a"}\n', t)));
  for (const [i, flag] of flags.entries()) {
    const exit = exits[i]!;
    assert.equal(exit.code, 2, `${flag}: ${exit.stderr}`);
    assert.equal(exit.stdout, '');
    // As bench's --report says it: not `cannot write : the folder . does not exist`.
    assert.deepEqual(stderrLines(exit), [`tidemark: ${flag}: expected a file name, got ""`]);
  }
});

test('run --retry-max below the default --retry-initial says it is the default, a flag the user did not type', async (t) => {
  const alone = await tidemark(['run', '--quiet', '--transform', upper, '--retry-max', '0'], '{"value":"a"}\n', t);
  assert.equal(alone.code, 2, alone.stderr);
  assert.deepEqual(stderrLines(alone), [
    'tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--retry-max` to be at least the default of --retry-initial (10), got `0` (number)',
  ]);
  const both = await tidemark(['run', '--quiet', '--transform', upper, '--retry-initial', '50', '--retry-max', '20'], '{"value":"a"}\n', t);
  assert.deepEqual(stderrLines(both), ['tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--retry-max` to be at least --retry-initial (50), got `20` (number)']);
});

test('run --checkpoint on a path that is not a regular file (a FIFO, a symlink; a device such as /dev/null alike, not tried here: a failure would replace it) is refused, and the path is left as it was', async (t) => {
  // The checkpoint is written beside itself and renamed over itself: over a
  // device node, a FIFO or a symlink that rename would put a file in its place.
  const dir = await tempDir(t);
  const input = join(dir, 'in.ndjson');
  await writeFile(input, '{"value":"a"}\n');
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const target = join(dir, 'target.txt');
  await writeFile(target, 'target\n');
  const link = join(dir, 'link');
  await symlink(target, link);
  for (const [path, kind] of [
    [fifo, 'a FIFO'],
    [link, 'a symbolic link'],
  ] as const) {
    const exit = await tidemark(['run', '--quiet', '--transform', upper, '--input', input, '--output', join(dir, 'out.ndjson'), '--checkpoint', path], undefined, t);
    assert.equal(exit.code, 2, `${path}: ${exit.stderr}`);
    assert.deepEqual(stderrLines(exit), [`tidemark: --checkpoint: cannot write ${path}: it is ${kind}, not a file (the checkpoint is renamed over it)`]);
  }
  assert.ok((await lstat(fifo)).isFIFO(), 'the FIFO is still a FIFO');
  assert.ok((await lstat(link)).isSymbolicLink(), 'the link is still a link');
});

test('a path ending in / names a folder: refused up front as one, whether or not the folder exists', async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'in.ndjson');
  await writeFile(input, '{"value":"a"}\n');
  const missing = `${join(dir, 'new-folder')}/`;
  const flags = ['--output', '--dead-letter', '--checkpoint'];
  // Independent processes, each refused up front (the folder is never made): started together, checked in order.
  const [benched, ...exits] = await allLimited([
    () => tidemark(['bench', '--quiet', '--transform', upper, '--input', input, '--concurrency', '1', '--modes', 'async', '--report', missing], undefined, t),
    ...flags.map((flag) => () => tidemark(['run', '--quiet', '--transform', upper, '--input', input, flag, missing], undefined, t)),
  ]);
  for (const [i, flag] of flags.entries()) {
    const exit = exits[i]!;
    assert.equal(exit.code, 2, `${flag}: ${exit.stderr}`);
    assert.deepEqual(stderrLines(exit), [`tidemark: ${flag}: cannot write ${missing}: it names a folder (it ends with /)`]);
  }
  const bench = benched!;
  assert.equal(bench.code, 2, bench.stderr);
  assert.equal(bench.stdout, '', 'refused before anything ran');
  assert.deepEqual(stderrLines(bench), [`tidemark: --report: cannot write ${missing}: it names a folder (it ends with /)`]);
});
