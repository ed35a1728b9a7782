import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, test } from 'node:test';
import { cliFixture, requireBuiltCli, stderrLines, tidemark } from './helpers/cli.js';

// `tidemark bench --ordered`: every setting runs on an engine that emits
// outputs in input order (the JSON gives the ordering each engine ran with).
before(requireBuiltCli);

test('bench --ordered runs every setting with ordered outputs and says so', async (t) => {
  const input = cliFixture('bench-skew.ndjson');
  const records = (await readFile(input, 'utf8')).split('\n').filter((line) => line.trim() !== '').length;
  const args = ['bench', '--transform', cliFixture('bench-skew.js'), '--input', input, '--concurrency', '2,4', '--threads', '1', '--json', '--no-report'];
  const ordered = await tidemark([...args, '--ordered'], undefined, t);
  assert.equal(ordered.code, 0, ordered.stderr);
  assert.match(stderrLines(ordered)[0] ?? '', /; concurrency 2,4 in async and batch mode, ordered;/);
  const settings = JSON.parse(ordered.stdout) as { mode: string; concurrency: number; ordering: string; messages: number; failed: number }[];
  assert.deepEqual(settings.map((s) => `${s.mode} ${s.concurrency} ${s.ordering}`), ['async 2 ordered', 'batch 2 ordered', 'async 4 ordered', 'batch 4 ordered']);
  for (const setting of settings) {
    assert.equal(setting.messages, records);
    assert.equal(setting.failed, 1);
  }
  const unordered = await tidemark(args, undefined, t);
  assert.equal(unordered.code, 0, unordered.stderr);
  assert.deepEqual((JSON.parse(unordered.stdout) as { ordering: string }[]).map((s) => s.ordering), ['unordered', 'unordered', 'unordered', 'unordered']);
});
