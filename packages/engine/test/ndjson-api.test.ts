import assert from 'node:assert/strict';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { Engine, NdjsonSink, ndjsonSource } from '../src/index.js';
import { cliFixture, requireBuiltCli, tidemark } from './helpers/cli.js';

// The NDJSON source and sink the CLI uses are public: an API user reads and
// writes NDJSON exactly as `tidemark run` does, malformed lines included.

before(requireBuiltCli);

/**
 * The output's lines, sorted by offset (completions come out of order), each
 * parsed; a record whose input line had no event time takes its read time,
 * which differs between two runs: left out past `timed` lines.
 */
function byOffset(text: string, timed: number): unknown[] {
  const lines = text.split('\n').filter((line) => line !== '');
  const records = lines.map((line) => JSON.parse(line) as { offset: number; eventTime?: number });
  for (const record of records) if (record.offset >= timed) delete record.eventTime;
  return records.sort((a, b) => a.offset - b.offset);
}

test('ndjsonSource into the engine into NdjsonSink writes what `tidemark run` writes for the same input', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tidemark-ndjson-api-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const input = join(dir, 'in.ndjson');
  const lines = [
    ...Array.from({ length: 40 }, (_, i) => JSON.stringify({ value: i, eventTime: 1000 + i, ...(i % 3 === 0 ? { key: `k${i}` } : {}) })),
    'not json',
    '',
    JSON.stringify({ nothing: 'here' }),
    JSON.stringify({ value: 'last' }),
  ];
  await writeFile(input, `${lines.join('\n')}\n`);
  const transform = cliFixture('cli-throw-odd.js');

  const apiOutput = join(dir, 'api.ndjson');
  const engine = new Engine({ transform, threads: 2, retry: { attempts: 1 } });
  try {
    const out = createWriteStream(apiOutput);
    const sink = new NdjsonSink(out);
    for await (const record of engine.process(ndjsonSource(createReadStream(input)))) await sink.write(record);
    await sink.end();
  } finally {
    await engine.close();
  }

  const cliOutput = join(dir, 'cli.ndjson');
  const exit = await tidemark(['run', '--transform', transform, '--input', input, '--output', cliOutput, '--threads', '2', '--attempts', '1', '--quiet'], undefined, t);
  assert.equal(exit.code, 0, exit.stderr);

  const api = byOffset(await readFile(apiOutput, 'utf8'), 40);
  assert.equal(api.length, lines.length - 1, 'a record per line but the blank one');
  assert.equal(api.filter((record) => (record as { kind: string }).kind === 'failed').length, 20 + 2, 'odd values and two malformed lines');
  assert.deepEqual(api, byOffset(await readFile(cliOutput, 'utf8'), 40));
});
