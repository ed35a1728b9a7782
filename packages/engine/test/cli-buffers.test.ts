import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cliFixture as fixture, parseNdjson, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';
import type { Exit } from './helpers/cli.js';
import { until, within } from './helpers/wait.js';

// `tidemark run` with record-size and buffer flags: the built CLI in a child process.
before(requireBuiltCli);

test('run --max-record-bytes: an oversized line becomes a failed record with one line on stderr, and the run goes on', async (t) => {
  const dir = await tempDir(t);
  const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ value: `record ${i}` }));
  lines[3] = JSON.stringify({ value: 'x'.repeat(300) });
  lines[6] = JSON.stringify({ value: 'y'.repeat(5_000_000) }); // streamed past, never held whole
  await writeFile(join(dir, 'in.ndjson'), `${lines.join('\r\n')}\r\n`);

  const exit = await tidemark([
    'run',
    '--transform',
    fixture('cli-upper.js'),
    '--input',
    join(dir, 'in.ndjson'),
    '--output',
    join(dir, 'out.ndjson'),
    '--max-record-bytes',
    '200',
    '--threads',
    '1',
    '--quiet',
  ]);

  assert.equal(exit.code, 0, exit.stderr);
  const records = parseNdjson(await readFile(join(dir, 'out.ndjson'), 'utf8')).sort((a, b) => a.offset - b.offset);
  assert.deepEqual(
    records.map((record) => record.offset),
    Array.from({ length: 10 }, (_, i) => i),
  );
  for (const record of records) {
    if (record.offset === 3 || record.offset === 6) {
      const bytes = Buffer.byteLength(lines[record.offset] as string);
      assert.equal(record.kind, 'failed');
      assert.equal(record.line, record.offset + 1);
      assert.equal(record.error?.code, 'ERR_TIDEMARK_RECORD_TOO_LARGE');
      assert.equal(record.error.message, `line ${record.offset + 1}: a record of ${bytes} bytes is over the limit of 200 bytes`);
      assert.equal(record.input, (lines[record.offset] as string).slice(0, 256), 'the head of the line is kept');
    } else {
      assert.deepEqual([record.kind, record.value], ['output', `RECORD ${record.offset}`]);
    }
  }
  const stderr = stderrLines(exit);
  assert.deepEqual(stderr.slice(0, 2), [
    `tidemark: ERR_TIDEMARK_RECORD_TOO_LARGE: line 4: a record of ${Buffer.byteLength(lines[3])} bytes is over the limit of 200 bytes (skipped)`,
    `tidemark: ERR_TIDEMARK_RECORD_TOO_LARGE: line 7: a record of ${Buffer.byteLength(lines[6])} bytes is over the limit of 200 bytes (skipped)`,
  ]);
  assert.match(stderr[2] ?? '', /^tidemark: 10 read, 8 outputs, 2 failed \(0 malformed, 2 too large\), 0 dropped, /);
  assert.equal(stderr.length, 3);
});

test('run with a dropping input buffer: a held slot and a full input buffer drop every later line, each in the dead letter file', async (t) => {
  const dir = await tempDir(t);
  const count = 300;
  const release = join(dir, 'release');
  // Line 0 holds the only processing slot until the test creates `release`;
  // line 1 fills the one-message input buffer; every later line finds it full.
  const lines = [JSON.stringify({ value: { holdUntil: release } }), ...Array.from({ length: count - 1 }, (_, i) => JSON.stringify({ value: i + 1 }))];
  await writeFile(join(dir, 'in.ndjson'), `${lines.join('\n')}\n`);
  const deadLetter = join(dir, 'failed.ndjson');

  const exited = tidemark([
    'run',
    '--transform',
    fixture('cli-hold-until-file.js'),
    '--input',
    join(dir, 'in.ndjson'),
    '--output',
    join(dir, 'out.ndjson'),
    '--dead-letter',
    deadLetter,
    '--threads',
    '1',
    '--concurrency',
    '1',
    '--input-buffer',
    '1',
    '--input-overflow',
    'drop-newest',
    '--quiet',
  ], undefined, t);
  const drops = count - 2;
  await linesIn(deadLetter, drops, exited);
  await writeFile(release, '');
  const exit = await within(exited, 'the CLI to finish once line 0 is released');

  assert.equal(exit.code, 0, exit.stderr);
  const outputs = parseNdjson(await readFile(join(dir, 'out.ndjson'), 'utf8'));
  assert.deepEqual(
    outputs.map((line) => [line.offset, line.value]),
    [
      [0, release],
      [1, 1],
    ],
    'the held line and the one in the input buffer',
  );
  const dropped = parseNdjson(await readFile(deadLetter, 'utf8'));
  assert.deepEqual(
    dropped.map((line) => line.offset),
    Array.from({ length: drops }, (_, i) => i + 2),
    'every later line, dropped as it arrived',
  );
  for (const line of dropped) assert.deepEqual(line.dropped, { buffer: 'input', policy: 'drop-newest' });
  const stderr = stderrLines(exit);
  assert.equal(stderr[0], `tidemark: ${drops} dropped messages written to ${deadLetter}`);
  assert.equal(stderr[1], `tidemark: dropped by full buffers: ${drops} by input drop-newest`);
  assert.match(stderr[2] ?? '', new RegExp(`^tidemark: ${count} read, 2 outputs, 0 failed \\(0 malformed, 0 too large\\), ${drops} dropped, `));
  assert.equal(stderr.length, 3);
});

/** Resolves once the file at `path` has `count` lines; fails if `exited` settles first, or after the wait limit. */
async function linesIn(path: string, count: number, exited: Promise<Exit>): Promise<void> {
  let seen = 0;
  let ended = false;
  void exited.then(() => (ended = true));
  await until(
    () => {
      if (ended) throw new Error(`the CLI exited with ${seen} of ${count} lines in ${path}`);
      seen = existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0;
      return seen >= count;
    },
    `${count} lines in ${path}`,
    () => seen,
  );
}

test('run rejects bad buffer flags with one line and exit 2', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'in.ndjson'), '{"value":1}\n');
  const base = ['run', '--transform', fixture('cli-upper.js'), '--input', join(dir, 'in.ndjson'), '--quiet'];
  const cases: [string[], RegExp][] = [
    [['--input-overflow', 'spill'], /--input-overflow <policy>' argument 'spill' is invalid. Allowed choices are block, drop-oldest, drop-newest, reject/],
    [['--processing-overflow', 'drop-oldest'], /--processing-overflow <policy>' argument 'drop-oldest' is invalid/],
    [['--max-record-bytes', '0'], /--max-record-bytes <n>' argument '0' is invalid. expected an integer from 1 up/],
    [['--output-buffer', 'many'], /--output-buffer <n>' argument 'many' is invalid/],
    [['--mode', 'batch', '--input-overflow', 'drop-newest'], /^tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--input-overflow` to be 'block' in batch mode/],
  ];
  for (const [flags, message] of cases) {
    const exit = await tidemark([...base, ...flags]);
    assert.equal(exit.code, 2, flags.join(' '));
    assert.match(stderrLines(exit)[0] ?? '', message, flags.join(' '));
    assert.equal(exit.stdout, '');
  }
});
