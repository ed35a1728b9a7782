import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cliFixture as fixture, requireBuiltCli, tempDir } from './helpers/cli.js';
import { CliSession } from './helpers/cli-session.js';

// Progress over an --input file is the share of its bytes done (every line
// up to there acked), not the share read: the input is read far ahead of
// what is done whenever one message holds up the rest. Here line 250 of
// 1000 lines of equal length is held in flight (cli-until-file.js, released
// by a file the test creates) while every other line is read and acked: the
// file is read to its end, 999 messages are acked, and 25% of it is done.
before(requireBuiltCli);

const lineBytes = 200;
const lines = 1000;
const held = 250;

/** One NDJSON line of exactly `lineBytes` bytes, newline included (the padding is a field the source ignores). */
function line(value: unknown): string {
  const text = JSON.stringify({ value, pad: '' });
  const padded = `${text.slice(0, -2)}${'x'.repeat(lineBytes - 1 - text.length)}"}`;
  assert.equal(Buffer.byteLength(padded) + 1, lineBytes);
  return `${padded}\n`;
}

test('run --input <file>: the percentage is of the bytes acked up to the first line in flight, not of the bytes read', async (t) => {
  const dir = await tempDir(t);
  const release = join(dir, 'release');
  const input = join(dir, 'in.ndjson');
  await writeFile(input, Array.from({ length: lines }, (_, n) => line(n === held ? { until: release, out: 'held' } : n)).join(''));
  const cli = new CliSession(t, ['--transform', fixture('cli-until-file.js'), '--input', input, '--threads', '1', '--concurrency', '2']);
  cli.end(); // the input is the file

  // A line sampled once the other 999 are acked (so after all of the file was read).
  const others = new RegExp(String.raw`^tidemark: .*\b${lines - 1} acked\b.*$`, 'm');
  await cli.until(() => others.test(cli.stderr), `a progress line with ${lines - 1} acked`);
  const line999 = others.exec(cli.stderr)?.[0] ?? '';
  const size = `${((lines * lineBytes) / 1024).toFixed(1)} KiB`;
  assert.match(line999, new RegExp(String.raw`^tidemark: ${(held * 100) / lines}% of ${size} done, ${lines - 1} acked, `), 'the share done is the lines before the held one');

  await writeFile(release, '');
  assert.deepEqual(await cli.exit(), { code: 0, signal: null }, cli.stderr);
  const last = cli.stderr.split('\n').filter((text) => text !== '').at(-2) ?? '';
  assert.match(last, new RegExp(String.raw`^tidemark: 100% of ${size} done, ${lines} acked, .*done in `), cli.stderr);
});

test('run --from <line> --input <file>: the percentage is of the bytes from that line to the end, and says so', async (t) => {
  const dir = await tempDir(t);
  const release = join(dir, 'release');
  const input = join(dir, 'in.ndjson');
  const from = 500;
  const heldAt = 750;
  await writeFile(input, Array.from({ length: lines }, (_, n) => line(n === heldAt ? { until: release, out: 'held' } : n)).join(''));
  const cli = new CliSession(t, ['--transform', fixture('cli-until-file.js'), '--input', input, '--from', String(from), '--threads', '1', '--concurrency', '2']);
  cli.end();

  const run = lines - from;
  const others = new RegExp(String.raw`^tidemark: .*\b${run - 1} acked\b.*$`, 'm');
  await cli.until(() => others.test(cli.stderr), `a progress line with ${run - 1} acked`);
  const size = `${((run * lineBytes) / 1024).toFixed(1)} KiB`;
  const share = ((heldAt - from) * 100) / run;
  assert.match(others.exec(cli.stderr)?.[0] ?? '', new RegExp(String.raw`^tidemark: ${share}% of ${size} done \(from line ${from}\), ${run - 1} acked, `));

  await writeFile(release, '');
  assert.deepEqual(await cli.exit(), { code: 0, signal: null }, cli.stderr);
  const last = cli.stderr.split('\n').filter((text) => text !== '').at(-2) ?? '';
  assert.match(last, new RegExp(String.raw`^tidemark: 100% of ${size} done \(from line ${from}\), ${run} acked, .*done in `), cli.stderr);
});
