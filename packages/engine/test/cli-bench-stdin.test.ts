import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, test } from 'node:test';
import { cliFixture, requireBuiltCli, stderrLines, tidemark } from './helpers/cli.js';

// `tidemark bench --input -`: the records piped in, read once into memory
// and replayed to every setting, as a file is.
before(requireBuiltCli);

test('bench --input - reads the records from stdin and runs them through every setting', async (t) => {
  const ndjson = await readFile(cliFixture('bench-skew.ndjson'), 'utf8');
  const records = ndjson.split('\n').filter((line) => line.trim() !== '').length;
  const exit = await tidemark(
    ['bench', '--transform', cliFixture('bench-skew.js'), '--input', '-', '--concurrency', '4', '--threads', '1', '--json', '--no-report'],
    ndjson,
    t,
  );
  assert.equal(exit.code, 0, exit.stderr);
  assert.match(stderrLines(exit)[0] ?? '', new RegExp(`bench-skew\\.js on stdin: ${records} records \\(1 malformed\\);`));
  const settings = JSON.parse(exit.stdout) as { mode: string; messages: number; failed: number }[];
  assert.deepEqual(settings.map((s) => `${s.mode} ${s.messages} ${s.failed}`), [`async ${records} 1`, `batch ${records} 1`]);
});
