import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// `tidemark demo` from the built CLI. Its figures depend on the machine, so
// only the shape of what it prints is checked, never a timing or a ratio.
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const run = promisify(execFile);

before(() => {
  assert.ok(existsSync(cli), `${cli} is missing: run \`pnpm build\` first`);
});

/** Runs the demo; execFile rejects on a non-zero exit, with stderr in the error. */
function demo(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [cli, 'demo', ...args], { encoding: 'utf8' });
}

/** The rows of the Markdown table in `text`, as records keyed by the header cells. */
function markdownTable(text: string): Record<string, string>[] {
  const rows = text
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
  const [header, rule, ...body] = rows;
  assert.ok(header !== undefined && rule !== undefined, `a table with a header in:\n${text}`);
  assert.ok(rule.every((cell) => /^:?-+:?$/.test(cell)), 'the second row is the alignment rule');
  return body.map((cells) => {
    assert.equal(cells.length, header.length, 'every row has a cell per column');
    return Object.fromEntries(header.map((name, i) => [name, cells[i] ?? '']));
  });
}

test('demo prints a Markdown table with an async and a batch row and their efficiency, and writes the report', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tidemark-demo-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const report = join(dir, 'report.html');
  const { stdout, stderr } = await demo(['--messages', '200', '--concurrency', '8', '--mean-ms', '2', '--report', report]);
  const html = await readFile(report, 'utf8');
  assert.match(html, /^<!doctype html>/i);
  assert.ok((html.match(/<svg/g) ?? []).length >= 4, 'the report has its charts');
  assert.match(stderr, /report: .*report\.html/);
  const rows = markdownTable(stdout);
  assert.deepEqual(
    rows.map((row) => row.mode),
    ['async', 'batch'],
  );
  for (const row of rows) {
    assert.equal(row.conc, '8');
    assert.ok(Number.isFinite(Number(row['msg/s'])), `msg/s is a number: ${row['msg/s']}`);
    assert.ok(Number.isFinite(Number(row.efficiency)), `efficiency is a number: ${row.efficiency}`);
  }
  assert.match(stdout, /async mode moved [\d.]+x the messages per second of batch mode/);
  assert.match(stderr, /^tidemark demo: 200 messages, /);
});

test('demo --json prints the batch and async results as JSON', async () => {
  const { stdout } = await demo(['--json', '--no-report', '--messages', '100', '--concurrency', '4', '--mean-ms', '1']);
  const results: unknown = JSON.parse(stdout);
  assert.ok(Array.isArray(results) && results.length === 2, stdout);
  const [batch, async] = results as { mode: unknown; messages: unknown; concurrency: unknown; throughput: unknown; failed: unknown }[];
  assert.equal(batch?.mode, 'batch');
  assert.equal(async?.mode, 'async');
  for (const result of [batch, async]) {
    assert.equal(result?.messages, 100);
    assert.equal(result?.concurrency, 4);
    assert.equal(result?.failed, 0);
    assert.ok(typeof result?.throughput === 'number' && Number.isFinite(result.throughput), `throughput: ${String(result?.throughput)}`);
  }
});
