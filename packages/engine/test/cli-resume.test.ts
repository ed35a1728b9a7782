import assert from 'node:assert/strict';
import { readFileSync, watch } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { cliFixture as fixture, parseNdjson, requireBuiltCli, tempDir, tidemark } from './helpers/cli.js';
import type { NdjsonLine } from './helpers/cli.js';
import { CliSession } from './helpers/cli-session.js';
import { within } from './helpers/wait.js';

// Resuming `tidemark run` where a stopped or killed run left off: `--from N`
// skips the input lines before line N and keeps the input's line numbers as
// offsets, so the committed offset a run prints (or writes to --checkpoint)
// is exactly what the next run takes. Together the runs write every input
// offset at least once. cli-drop-or-hold.js holds `{ holdUntil: path }` in
// flight until the test creates `path`, and drops `{ drop: true }`.
before(requireBuiltCli);

const transform = fixture('cli-drop-or-hold.js');

const offsetsOf = (records: readonly NdjsonLine[]) => records.map((record) => record.offset).sort((a, b) => a - b);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const unique = (offsets: readonly number[]) => [...new Set(offsets)].sort((a, b) => a - b);

function committedOffset(stderr: string): number {
  const match = /committed offset (\d+) \(resume there to lose nothing\)\n$/.exec(stderr);
  assert.ok(match, `stderr ends naming the committed offset:\n${stderr}`);
  return Number(match[1]);
}

/** Resolves once the file at `path` holds `text` (the CLI renames its checkpoint into place); watches its folder. */
async function untilFileHolds(path: string, text: string, session: CliSession): Promise<void> {
  const holds = () => {
    try {
      return readFileSync(path, 'utf8') === text;
    } catch {
      return false;
    }
  };
  const watcher = watch(dirname(path));
  try {
    await within(
      new Promise<void>((resolve, reject) => {
        watcher.on('change', () => holds() && resolve());
        watcher.on('error', reject);
        void session.exited.then(() => reject(new Error(`the CLI exited before ${path} held ${text}; stderr:\n${session.stderr}`)));
        if (holds()) resolve();
      }),
      `${path} to hold ${JSON.stringify(text)}; stderr so far:\n${session.stderr}`,
    );
  } finally {
    watcher.close();
  }
}

test('run --from: after SIGINT, a rerun from the printed offset writes the rest with the input line numbers; none is missing', async (t) => {
  const dir = await tempDir(t);
  const gate = join(dir, 'gate');
  // Line 10 stays in flight until `gate` exists; line 20 is not JSON; line 25 is blank.
  const lines = range(0, 30).map((i) => JSON.stringify({ value: i === 10 ? { holdUntil: gate } : i }));
  lines[20] = 'not json';
  lines[25] = '';
  const input = join(dir, 'in.ndjson');
  await writeFile(input, `${lines.join('\n')}\n`);

  // The first run gets the first 20 lines on a stdin that stays open, and is
  // stopped while line 10 is in flight: SIGINT, then SIGINT again.
  const first = new CliSession(t, ['--quiet', '--transform', transform, '--threads', '2']);
  first.write(lines.slice(0, 20));
  await first.until(() => range(0, 20).every((offset) => offset === 10 || first.wrote(offset)), 'the outputs of lines 0-19 but 10');
  first.child.kill('SIGINT');
  await first.until(() => first.stderr.includes('stopping'), 'the first SIGINT seen');
  first.child.kill('SIGINT');
  assert.deepEqual(await first.exit(), { code: 130, signal: null }, first.stderr);
  const committed = committedOffset(first.stderr);
  assert.equal(committed, 10, 'the lowest offset in flight');

  await writeFile(gate, '');
  const second = await tidemark(['run', '--quiet', '--transform', transform, '--threads', '2', '--input', input, '--from', String(committed)], '', t);
  assert.equal(second.code, 0, second.stderr);
  const resumed = parseNdjson(second.stdout);

  const present = range(0, 30).filter((offset) => offset !== 25);
  assert.deepEqual(offsetsOf(resumed), present.filter((offset) => offset >= committed), 'the second run: the input from line 10 on, by line number, each once');
  for (const record of resumed) {
    if (record.offset === 20) {
      assert.deepEqual([record.kind, record.line], ['failed', 21], 'a malformed line keeps its 1-based line number');
    } else {
      assert.deepEqual([record.kind, record.value], ['output', record.offset === 10 ? gate : record.offset]);
    }
  }
  const written = unique([...offsetsOf(parseNdjson(first.stdout)), ...offsetsOf(resumed)]);
  assert.deepEqual(written, present, 'every input line was written by one run or the other');
});

test('run --checkpoint: after kill -9 with a message in flight, a rerun --from the checkpoint loses nothing', async (t) => {
  const dir = await tempDir(t);
  const gate = join(dir, 'gate');
  const n = 30;
  const lines = range(0, n).map((i) => JSON.stringify({ value: i === 12 ? { holdUntil: gate } : i }));
  const [input, output, checkpoint] = ['in.ndjson', 'out.ndjson', 'run.checkpoint'].map((name) => join(dir, name)) as [string, string, string];
  await writeFile(input, `${lines.join('\n')}\n`);
  const args = ['--quiet', '--transform', transform, '--threads', '2', '--input', input, '--output', output, '--checkpoint', checkpoint];

  const first = new CliSession(t, args);
  // Line 12 holds, so the committed offset stops there: the checkpoint
  // reaches 12 (only after the outputs before it are written to the file).
  await untilFileHolds(checkpoint, '12\n', first);
  first.child.kill('SIGKILL');
  assert.deepEqual(await first.exit(), { code: null, signal: 'SIGKILL' });
  const killed = parseNdjson(await readFile(output, 'utf8'));
  assert.ok(
    range(0, 12).every((offset) => killed.some((record) => record.offset === offset)),
    `every line before the checkpoint is in the output file: ${offsetsOf(killed).join(' ')}`,
  );

  await writeFile(gate, '');
  const from = (await readFile(checkpoint, 'utf8')).trim();
  const second = await tidemark(['run', ...args, '--from', from], '', t);
  assert.equal(second.code, 0, second.stderr);
  // With --from, the output file is appended to: the first run's lines come first.
  const all = parseNdjson(await readFile(output, 'utf8'));
  assert.deepEqual(all.slice(0, killed.length), killed, 'the first run’s outputs are kept');
  const resumed = all.slice(killed.length);
  assert.deepEqual(offsetsOf(resumed), range(12, n), 'the second run: lines 12 on, by line number, each once');
  for (const record of resumed) assert.deepEqual(record.value, record.offset === 12 ? gate : record.offset);
  assert.deepEqual(unique(offsetsOf(all)), range(0, n), 'no offset is missing');
  assert.equal(await readFile(checkpoint, 'utf8'), `${n}\n`, 'the checkpoint ends one past the last line');
});

test('run --checkpoint: messages the transform drops move the committed offset past them, though they write nothing', async (t) => {
  const dir = await tempDir(t);
  const gate = join(dir, 'gate');
  const n = 20;
  // 0-4 outputs, 5-9 dropped, 10 held, 11-14 dropped, 15-19 outputs.
  const dropped = [...range(5, 10), ...range(11, 15)];
  const lines = range(0, n).map((i) => JSON.stringify({ value: dropped.includes(i) ? { drop: true } : i === 10 ? { holdUntil: gate } : i }));
  const [input, output, checkpoint] = ['in.ndjson', 'out.ndjson', 'run.checkpoint'].map((name) => join(dir, name)) as [string, string, string];
  await writeFile(input, `${lines.join('\n')}\n`);
  const args = ['--quiet', '--transform', transform, '--threads', '2', '--input', input, '--output', output, '--checkpoint', checkpoint];

  // The last output before the held line is offset 4, but the committed
  // offset is 10: lines 5-9 are done (dropped), and resuming at 5 would redo them.
  const first = new CliSession(t, args);
  await untilFileHolds(checkpoint, '10\n', first);
  first.child.kill('SIGINT');
  await first.until(() => first.stderr.includes('stopping'), 'the first SIGINT seen');
  first.child.kill('SIGINT');
  assert.deepEqual(await first.exit(), { code: 130, signal: null }, first.stderr);
  assert.equal(committedOffset(first.stderr), 10);
  assert.equal(await readFile(checkpoint, 'utf8'), '10\n', 'the checkpoint written on exit agrees');
  const before = parseNdjson(await readFile(output, 'utf8'));
  assert.ok(range(0, 5).every((offset) => before.some((record) => record.offset === offset)), 'lines 0-4 were written');

  await writeFile(gate, '');
  const second = await tidemark(['run', ...args, '--from', '10'], '', t);
  assert.equal(second.code, 0, second.stderr);
  const all = parseNdjson(await readFile(output, 'utf8'));
  assert.deepEqual(offsetsOf(all.slice(before.length)), [10, ...range(15, n)], 'the rerun redoes no line before 10');
  const accounted = unique([...offsetsOf(all), ...dropped]);
  assert.deepEqual(accounted, range(0, n), 'every line was written or dropped');
  assert.ok(!all.some((record) => dropped.includes(record.offset)), 'a dropped line writes nothing');
  assert.equal(await readFile(checkpoint, 'utf8'), `${n}\n`);
});

test('run --checkpoint: a run to the end leaves one past the last line, past trailing dropped lines too', async (t) => {
  const dir = await tempDir(t);
  const lines = [...range(0, 5).map((value) => JSON.stringify({ value })), ...range(0, 5).map(() => JSON.stringify({ value: { drop: true } }))];
  const [input, checkpoint] = ['in.ndjson', 'run.checkpoint'].map((name) => join(dir, name)) as [string, string];
  await writeFile(input, `${lines.join('\n')}\n`);
  const exit = await tidemark(['run', '--quiet', '--transform', transform, '--input', input, '--checkpoint', checkpoint], '', t);
  assert.equal(exit.code, 0, exit.stderr);
  assert.deepEqual(offsetsOf(parseNdjson(exit.stdout)), range(0, 5));
  assert.equal(await readFile(checkpoint, 'utf8'), '10\n');

  // Resuming there reads nothing, and says so by its summary.
  const again = await tidemark(['run', '--transform', transform, '--input', input, '--from', '10'], '', t);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, '');
  assert.match(again.stderr, /^tidemark: 0 read, 0 outputs, /);
});

test('run --from past the end of the input says the input has fewer lines; --from at its end says nothing', async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'in.ndjson');
  await writeFile(input, `${range(0, 200).map((value) => JSON.stringify({ value })).join('\n')}\n`);
  const past = await tidemark(['run', '--transform', transform, '--input', input, '--from', '999999', '--quiet'], undefined, t);
  assert.equal(past.code, 0, past.stderr);
  assert.equal(past.stdout, '');
  assert.match(past.stderr, /^tidemark: the input has 200 lines, fewer than --from 999999: nothing was read\ntidemark: 0 read, /);

  // A finished run's committed offset is the line count: resuming there reads nothing, and that is no news.
  const atEnd = await tidemark(['run', '--transform', transform, '--input', input, '--from', '200', '--quiet'], undefined, t);
  assert.equal(atEnd.code, 0, atEnd.stderr);
  assert.match(atEnd.stderr, /^tidemark: 0 read, /);
});
