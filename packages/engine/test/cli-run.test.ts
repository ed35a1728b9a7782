import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { cliFixture as fixture, eachLimited, parseNdjson, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';
import type { NdjsonLine } from './helpers/cli.js';

before(requireBuiltCli);


type Line = NdjsonLine;
const parse = parseNdjson;

const byOffset = (a: Line, b: Line) => a.offset - b.offset;

test('run: each input line becomes exactly one record, a malformed line a failed record with its line number', async (t) => {
  const dir = await tempDir(t);
  const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ value: `record ${i}` }));
  lines.splice(10, 0, '{"value": not json}');
  lines.splice(20, 0, '{"eventTime": 5}');
  lines.splice(30, 0, '');
  const malformed = new Set([10, 20]);
  await writeFile(join(dir, 'in.ndjson'), `${lines.join('\n')}\n`);

  const exit = await tidemark([
    'run',
    '--transform',
    'test/fixtures/cli-upper.js',
    '--input',
    join(dir, 'in.ndjson'),
    '--output',
    join(dir, 'out.ndjson'),
    '--threads',
    '2',
  ]);

  assert.equal(exit.code, 0, exit.stderr);
  assert.equal(exit.stdout, '');
  const records = parse(await readFile(join(dir, 'out.ndjson'), 'utf8')).sort(byOffset);
  assert.deepEqual(
    records.map((record) => record.offset),
    lines.flatMap((text, index) => (text === '' ? [] : [index])),
    'every line but the blank one, once, by its 0-based index',
  );
  for (const record of records) {
    const text = lines[record.offset] ?? '';
    if (malformed.has(record.offset)) {
      assert.equal(record.kind, 'failed');
      assert.equal(record.line, record.offset + 1);
      assert.equal(record.attempts, 0);
      assert.equal(record.input, text);
      assert.equal(record.error?.name, 'MalformedInputError');
      assert.equal(record.error.code, 'ERR_TIDEMARK_MALFORMED_INPUT');
      assert.match(record.error.message, new RegExp(`^line ${record.offset + 1}: `));
    } else {
      assert.equal(record.kind, 'output');
      assert.equal(record.value, (JSON.parse(text) as { value: string }).value.toUpperCase());
    }
  }
  assert.equal(stderrLines(exit).length, 1, exit.stderr);
  assert.match(exit.stderr, /^tidemark: 52 read, 50 outputs, 2 failed \(2 malformed, 0 too large\), 0 dropped, \d+ late, 0 retried in [\d.]+ s\n$/);
});

test("run: '-' reads stdin and writes stdout", async () => {
  const input = ['{"value":"a","eventTime":1000}', '{"value":"b","eventTime":2000,"key":"k1"}', '[1, 2]'].join('\n');
  const exit = await tidemark(['run', '--transform', fixture('cli-upper.js'), '--input', '-', '--output', '-'], input);

  assert.equal(exit.code, 0, exit.stderr);
  const [a, b, array] = parse(exit.stdout).sort(byOffset);
  assert.deepEqual(a, { kind: 'output', offset: 0, eventTime: 1000, value: 'A' });
  assert.deepEqual(b, { kind: 'output', offset: 1, key: 'k1', eventTime: 2000, value: 'B' });
  assert.equal(array?.kind, 'failed');
  assert.equal(array.line, 3);
  assert.equal(array.error?.code, 'ERR_TIDEMARK_MALFORMED_INPUT');
  assert.match(exit.stderr, /^tidemark: 3 read, 2 outputs, 1 failed \(1 malformed, 0 too large\), 0 dropped, /);
});

// cli-hold-first.js holds the message at offset 0 until the one at offset 4
// has started. With --concurrency 4 the engine dispatches offset 4 only once
// one of offsets 1-3 has completed, so the first message completes after
// another one, whatever the timing.
async function heldFirst(t: TestContext, extra: readonly string[], malformedAt?: number): Promise<Line[]> {
  const dir = await tempDir(t);
  const lines = [{ holdUntilStarted: 4 }, ...Array.from({ length: 29 }, (_, i) => i + 1)].map((value) => JSON.stringify({ value }));
  if (malformedAt !== undefined) lines[malformedAt] = 'not json';
  await writeFile(join(dir, 'in.ndjson'), `${lines.join('\n')}\n`);
  const exit = await tidemark([
    'run',
    '--transform',
    fixture('cli-hold-first.js'),
    '--input',
    join(dir, 'in.ndjson'),
    '--threads',
    '2',
    '--concurrency',
    '4',
    ...extra,
  ]);
  assert.equal(exit.code, 0, exit.stderr);
  const records = parse(exit.stdout);
  for (const record of records) {
    if (record.offset !== malformedAt) assert.deepEqual([record.kind, record.value], ['output', record.offset]);
  }
  return records;
}

const offsetsOf = (records: readonly Line[]) => records.map((record) => record.offset);

const offsets = Array.from({ length: 30 }, (_, i) => i);

test('run: without --ordered, outputs are written as messages complete', async (t) => {
  const written = offsetsOf(await heldFirst(t, []));
  assert.deepEqual([...written].sort((a, b) => a - b), offsets);
  assert.ok(written.indexOf(0) > 0, `offset 0 completes after another message: ${written.join(' ')}`);
});

test('run --ordered writes outputs in offset order', async (t) => {
  assert.deepEqual(offsetsOf(await heldFirst(t, ['--ordered'])), offsets);
});

test('run --ordered writes the failed record of a malformed line in offset order too', async (t) => {
  // Line 3 is read (and its failed record written) before offset 4 starts,
  // so before the held offset 0 can complete.
  const records = await heldFirst(t, ['--ordered'], 2);
  assert.equal(records.find((record) => record.offset === 2)?.kind, 'failed');
  assert.deepEqual(offsetsOf(records), offsets);
});

test('run: a transform that throws gives failed records after --attempts tries, and the run succeeds', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'in.ndjson'), Array.from({ length: 20 }, (_, value) => `${JSON.stringify({ value })}\n`).join(''));
  const exit = await tidemark([
    'run',
    '--transform',
    fixture('cli-throw-odd.js'),
    '--input',
    join(dir, 'in.ndjson'),
    '--attempts',
    '2',
    '--threads',
    '2',
  ]);

  assert.equal(exit.code, 0, exit.stderr);
  const records = parse(exit.stdout).sort(byOffset);
  assert.deepEqual(
    records.map((record) => record.offset),
    offsets.slice(0, 20),
  );
  for (const record of records) {
    if (record.offset % 2 === 0) {
      assert.deepEqual([record.kind, record.value], ['output', record.offset]);
      continue;
    }
    assert.equal(record.kind, 'failed');
    assert.equal(record.attempts, 2);
    assert.equal(record.input, record.offset);
    assert.deepEqual(record.error, {
      name: 'TransformError',
      code: 'ERR_TIDEMARK_TRANSFORM',
      message: `${record.offset} is odd`,
      errorName: 'RangeError',
      errorCode: 'E_ODD',
    });
  }
  assert.match(exit.stderr, /^tidemark: 20 read, 10 outputs, 10 failed \(0 malformed, 0 too large\), 0 dropped, \d+ late, 10 retried in /);
});

test('run: a bad invocation exits non-zero and the first line on stderr names the problem', async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'in.ndjson');
  await writeFile(input, '{"value":1}\n');
  const upper = fixture('cli-upper.js');
  // `own`: reported by tidemark itself, so nothing follows the line. After
  // commander's own errors comes one hint line (showHelpAfterError).
  const rows: { title: string; args: string[]; first: RegExp; own: boolean }[] = [
    {
      title: 'missing --transform',
      args: ['--input', input],
      first: /^error: required option '--transform <module>' not specified$/,
      own: false,
    },
    {
      title: 'a --transform path that does not exist',
      args: ['--transform', join(dir, 'missing.js'), '--input', input],
      first: /^tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--transform` to be the path or URL of an existing module, got `".*missing\.js"` \(string\)$/,
      own: true,
    },
    {
      title: 'a module without a default export function',
      args: ['--transform', fixture('cli-no-default.js'), '--input', input, '--output', join(dir, 'out.ndjson')],
      first: /^tidemark: ERR_TIDEMARK_TRANSFORM_LOAD: transform module file:\/\/.*\/cli-no-default\.js must have a default export function/,
      own: true,
    },
    {
      title: '--threads abc',
      args: ['--transform', upper, '--input', input, '--threads', 'abc'],
      first: /^error: option '--threads <n>' argument 'abc' is invalid\. expected an integer from 1 up$/,
      own: false,
    },
    {
      title: '--concurrency 0',
      args: ['--transform', upper, '--input', input, '--concurrency', '0'],
      first: /^error: option '--concurrency <n\|min\.\.max>' argument '0' is invalid\. expected an integer from 1 up, or min\.\.max \(such as 1\.\.256\) for the adaptive controller$/,
      own: false,
    },
    {
      title: '--mode fast',
      args: ['--transform', upper, '--input', input, '--mode', 'fast'],
      first: /^error: option '--mode <mode>' argument 'fast' is invalid\. Allowed choices are async, batch\.$/,
      own: false,
    },
    {
      title: 'an --input that is a folder',
      args: ['--transform', upper, '--input', dir],
      first: /^tidemark: --input: is a directory: /,
      own: true,
    },
    {
      title: 'an --output in a folder that does not exist',
      args: ['--transform', upper, '--input', input, '--output', join(dir, 'no', 'such', 'out.ndjson')],
      first: /^tidemark: --output: cannot write .*out\.ndjson: the folder .*\/no\/such does not exist$/,
      own: true,
    },
    {
      title: 'an --input file that does not exist',
      args: ['--transform', upper, '--input', join(dir, 'nothing.ndjson')],
      first: /^tidemark: --input: no such file: .*nothing\.ndjson$/,
      own: true,
    },
  ];
  // Independent processes, each refused up front: started a few at a time, each checked by its own subtest, in order.
  const exits = eachLimited(rows.map((row) => () => tidemark(['run', ...row.args])));
  for (const [i, row] of rows.entries()) {
    await t.test(row.title, async () => {
      const exit = await exits[i]!;
      assert.equal(exit.signal, null);
      assert.notEqual(exit.code, 0);
      assert.equal(exit.stdout, '');
      const lines = stderrLines(exit);
      assert.match(lines[0] ?? '', row.first, exit.stderr);
      if (row.own) assert.equal(lines.length, 1, exit.stderr);
      else assert.deepEqual(lines.slice(1), ["(see 'tidemark <command> --help')"], exit.stderr);
      assert.equal(exit.code, 2, 'usage errors exit 2');
    });
  }
});
