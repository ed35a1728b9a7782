import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cliFixture as fixture, parseNdjson, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';

// `tidemark run --dead-letter` as users run it: the built CLI in a child process.
before(requireBuiltCli);


const parse = parseNdjson;


test('run --dead-letter: failed records go to their own file, outputs to the output, each input line once', async (t) => {
  const dir = await tempDir(t);
  // cli-throw-odd.js throws for odd values: offsets 1, 3, … fail; line 8 is not JSON.
  const lines = Array.from({ length: 20 }, (_, value) => JSON.stringify({ value }));
  lines[7] = '{"value": nope}';
  await writeFile(join(dir, 'in.ndjson'), `${lines.join('\n')}\n`);
  const deadLetter = join(dir, 'failed.ndjson');

  const exit = await tidemark([
    'run',
    '--transform',
    fixture('cli-throw-odd.js'),
    '--input',
    join(dir, 'in.ndjson'),
    '--output',
    join(dir, 'out.ndjson'),
    '--attempts',
    '1',
    '--threads',
    '2',
    '--quiet',
    '--dead-letter',
    deadLetter,
  ]);

  assert.equal(exit.code, 0, exit.stderr);
  const outputs = parse(await readFile(join(dir, 'out.ndjson'), 'utf8'));
  const failed = parse(await readFile(deadLetter, 'utf8'));
  for (const record of outputs) assert.deepEqual([record.kind, record.value], ['output', record.offset]);
  assert.deepEqual(outputs.map((record) => record.offset).sort((a, b) => a - b), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  assert.deepEqual(failed.map((record) => record.offset).sort((a, b) => a - b), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
  for (const record of failed) {
    assert.equal(record.kind, undefined, 'dead letters carry no kind: they are all failed');
    if (record.offset === 7) {
      assert.equal(record.line, 8);
      assert.equal(record.attempts, 0);
      assert.equal(record.input, lines[7]);
      assert.equal(record.error?.code, 'ERR_TIDEMARK_MALFORMED_INPUT');
    } else {
      assert.equal(record.line, undefined);
      assert.equal(record.attempts, 1);
      assert.equal(record.input, record.offset);
      assert.deepEqual(record.error, {
        name: 'TransformError',
        code: 'ERR_TIDEMARK_TRANSFORM',
        message: `${record.offset} is odd`,
        errorName: 'RangeError',
        errorCode: 'E_ODD',
      });
    }
  }
  const [written, summary, ...rest] = stderrLines(exit);
  assert.equal(written, `tidemark: 10 failed records written to ${deadLetter}`);
  assert.match(summary ?? '', /^tidemark: 20 read, 10 outputs, 10 failed \(1 malformed, 0 too large\), 0 dropped, \d+ late, 0 retried in [\d.]+ s$/);
  assert.deepEqual(rest, [], 'the summary stays the last line');
});

test('run --dead-letter in a folder that does not exist fails at once: one line, exit 2', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'in.ndjson'), '{"value":1}\n');
  const exit = await tidemark([
    'run',
    '--transform',
    fixture('cli-throw-odd.js'),
    '--input',
    join(dir, 'in.ndjson'),
    '--output',
    join(dir, 'out.ndjson'),
    '--dead-letter',
    join(dir, 'no', 'such', 'failed.ndjson'),
  ]);

  assert.equal(exit.code, 2);
  assert.equal(exit.stdout, '');
  const lines = stderrLines(exit);
  assert.equal(lines.length, 1, exit.stderr);
  assert.match(lines[0] ?? '', /^tidemark: --dead-letter: cannot write .*failed\.ndjson: the folder .*\/no\/such does not exist$/);
});

test('run --dead-letter: one failed record is "1 failed record"; none, no line about the file', async (t) => {
  const dir = await tempDir(t);
  const deadLetter = join(dir, 'failed.ndjson');
  const one = await tidemark(['run', '--quiet', '--transform', fixture('cli-throw-odd.js'), '--attempts', '1', '--dead-letter', deadLetter], '{"value":1}\n{"value":2}\n', t);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(stderrLines(one)[0], `tidemark: 1 failed record written to ${deadLetter}`);
  const none = await tidemark(['run', '--quiet', '--transform', fixture('cli-throw-odd.js'), '--dead-letter', deadLetter], '{"value":2}\n', t);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(stderrLines(none).length, 1, `only the summary:\n${none.stderr}`);
  assert.match(stderrLines(none)[0] ?? '', /^tidemark: 1 read, /);
});
