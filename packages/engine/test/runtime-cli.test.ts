import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { markdownTable } from './helpers/bench-output.js';
import { cli, cliFixture as fixture, parseNdjson, requireBuiltCli, stderrLines, tempDir } from './helpers/cli.js';
import type { NdjsonLine } from './helpers/cli.js';
import { runOn, runtimeCommand, runtimes } from './helpers/runtimes.js';
import { transports } from './helpers/transports.js';
import { within } from './helpers/wait.js';

// The built `tidemark` on Bun and Deno (the binaries of the pinned npm
// packages), as `bun dist/cli/main.js …` and `deno run -A dist/cli/main.js …`:
// `run` over both transports, from a file and from stdin, `bench` on a
// transform of its own, and `run | head`, which crashed on Bun (an Error's
// method named `line`, hidden by JavaScriptCore's own `line` property).
before(requireBuiltCli);

const lines = 1500;
const malformedAt = 700;
const failing = (offset: number) => offset % 500 === 3;

/** The input: `{ id, ms }` records for skewed.mjs (ids are line indexes), one line that is not JSON. */
function input(): string {
  const text = Array.from({ length: lines }, (_, id) =>
    id === malformedAt ? '{"value": not json' : JSON.stringify({ value: { id, ms: id % 97 === 0 ? 20 : id % 3, spinMs: 0, fail: failing(id) } }),
  );
  return `${text.join('\n')}\n`;
}

/** Every line of the input came back once, as what it should be. */
function checkRecords(records: NdjsonLine[], what: string): void {
  assert.deepEqual(
    records.map((record) => record.offset).sort((a, b) => a - b),
    Array.from({ length: lines }, (_, offset) => offset),
    `${what}: one record per input line, offsets 0..${lines - 1} each once`,
  );
  for (const record of records) {
    const { offset } = record;
    if (offset === malformedAt) {
      assert.equal(record.kind, 'failed', what);
      assert.equal(record.line, malformedAt + 1, `${what}: the malformed line's number`);
      assert.equal(record.error?.code, 'ERR_TIDEMARK_MALFORMED_INPUT', what);
    } else if (failing(offset)) {
      assert.equal(record.kind, 'failed', `${what}: offset ${offset} throws on every try`);
      assert.deepEqual(
        [record.error?.name, record.error?.code, record.error?.errorName, record.error?.errorCode, record.attempts],
        ['TransformError', 'ERR_TIDEMARK_TRANSFORM', 'RangeError', 'E_SKEWED', 3],
        `${what}: offset ${offset}'s failed record`,
      );
    } else {
      assert.equal(record.kind, 'output', `${what}: offset ${offset}`);
      assert.deepEqual(record.value, { id: offset, square: offset * offset }, `${what}: offset ${offset}'s value`);
    }
  }
}

const summary = new RegExp(
  `^tidemark: ${lines} read, ${lines - 4} outputs, 4 failed \\(1 malformed, 0 too large\\), 0 dropped, \\d+ late, 6 retried in [\\d.]+ s$`,
);

for (const runtime of runtimes) {
  describe(runtime, () => {
    for (const transport of transports) {
      test(`run on ${runtime}, ${transport} transport: NDJSON file in, NDJSON file out, every line accounted for`, async (t) => {
        const dir = await tempDir(t);
        await writeFile(join(dir, 'in.ndjson'), input());
        const exit = await runOn(t, runtime, cli, [
          'run',
          '--transform',
          fixture('runtimes/skewed.mjs'),
          '--input',
          join(dir, 'in.ndjson'),
          '--output',
          join(dir, 'out.ndjson'),
          '--transport',
          transport,
          '--threads',
          '2',
          '--concurrency',
          '32',
          '--retry-initial',
          '1',
          '--quiet',
        ]);
        assert.equal(exit.code, 0, exit.stderr);
        assert.equal(exit.stdout, '');
        checkRecords(parseNdjson(await readFile(join(dir, 'out.ndjson'), 'utf8')), `${runtime}, ${transport}`);
        assert.equal(stderrLines(exit).length, 1, exit.stderr);
        assert.match(exit.stderr.trim(), summary);
      });
    }

    test(`run on ${runtime}: '-' reads stdin and writes stdout`, async (t) => {
      const exit = await runOn(t, runtime, cli, ['run', '--transform', fixture('runtimes/skewed.mjs'), '--threads', '2', '--retry-initial', '1', '--quiet'], {
        input: input(),
      });
      assert.equal(exit.code, 0, exit.stderr);
      checkRecords(parseNdjson(exit.stdout), `${runtime}, stdin to stdout`);
      assert.match(exit.stderr.trim(), summary);
    });

    test(`bench on ${runtime}: a transform of its own, every setting in the table, the best named, the report written`, async (t) => {
      const dir = await tempDir(t, 'tidemark-bench-');
      const report = join(dir, 'report.html');
      const exit = await runOn(t, runtime, cli, [
        'bench',
        '--transform',
        fixture('bench-skew.js'),
        '--input',
        fixture('bench-skew.ndjson'),
        '--concurrency',
        '4,16',
        '--threads',
        '2',
        '--report',
        report,
        '--quiet',
      ]);
      assert.equal(exit.code, 0, exit.stderr);
      const rows = markdownTable(exit.stdout);
      assert.deepEqual(
        rows.map((row) => [row.mode, row.conc, row.messages, row.failed]),
        [
          ['async', '4', '201', '1'],
          ['batch', '4', '201', '1'],
          ['async', '16', '201', '1'],
          ['batch', '16', '201', '1'],
        ],
        'every setting, each over the 201 lines (one malformed)',
      );
      for (const row of rows) assert.ok(Number(row['wall msg/s']) > 0, `a wall msg/s for ${row.mode} at ${row.conc}`);
      assert.equal(rows.filter((row) => row.best === 'best').length, 1, 'one best row');
      assert.match(exit.stdout, /^best: (async|batch) at concurrency (4|16): /m);
      const html = await readFile(report, 'utf8');
      assert.match(html, /^<!doctype html>/i, 'the report was written');
    });

    test(`run on ${runtime} | head -3: the output closed early is said so, exit 141`, async (t) => {
      // As in cli-output-closed.test.ts: far more output than a pipe holds, so the writes fail whenever head exits.
      const dir = await tempDir(t);
      const source = join(dir, 'in.ndjson');
      await writeFile(source, `${JSON.stringify({ value: { kind: 'string', length: 4096 } })}\n`.repeat(2000));
      const [file, args] = runtimeCommand(runtime, cli, ['run', '--transform', fixture('expand.js'), '--input', source, '--ordered', '--threads', '1', '--concurrency', '4']);
      const command = [file, ...args].map((word) => `'${word}'`).join(' ');
      const status = join(dir, 'status');
      const stderr = join(dir, 'stderr');
      const { stdout } = await within(promisify(execFile)('sh', ['-c', `{ ${command} 2>"${stderr}"; echo "$?" >"${status}"; } | head -3`]), 'the pipeline to end');
      assert.equal(parseNdjson(stdout).length, 3, 'head printed three records');
      const printed = await readFile(stderr, 'utf8');
      assert.equal((await readFile(status, 'utf8')).trim(), '141', `the exit status\n${printed}`);
      assert.match(printed, /\ntidemark: the output was closed \(EPIPE\) after \d+ records were written; stopped reading; committed offset \d+: /);
    });
  });
}
