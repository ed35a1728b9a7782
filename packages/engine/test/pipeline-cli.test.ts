import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseNdjson, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';

// `tidemark run --pipeline pipeline.json` runs the pipeline the file
// describes, with the usual input and output flags: here the example of
// examples/pipeline (decode, two extractors joined, score), end to end.

before(requireBuiltCli);

const example = fileURLToPath(new URL('../../../examples/pipeline/', import.meta.url));
const pipelineFile = join(example, 'pipeline.json');
const input = join(example, 'input.ndjson');

test('run --pipeline: the example, every input line once, as a score or a failed record of the stage that failed it', async (t) => {
  const dir = await tempDir(t);
  const output = join(dir, 'out.ndjson');
  const dead = join(dir, 'dead.ndjson');
  const exit = await tidemark(['run', '--pipeline', pipelineFile, '--input', input, '--output', output, '--dead-letter', dead, '--attempts', '2', '--quiet'], undefined, t);
  assert.equal(exit.code, 0, exit.stderr);
  const lines = (await readFile(input, 'utf8')).trimEnd().split('\n');
  const outputs = parseNdjson(await readFile(output, 'utf8')) as (ReturnType<typeof parseNdjson>[number] & { stage?: string })[];
  const failed = parseNdjson(await readFile(dead, 'utf8')) as (ReturnType<typeof parseNdjson>[number] & { stage?: string })[];
  const offsets = [...outputs, ...failed].map((line) => line.offset).sort((a, b) => a - b);
  assert.deepEqual(offsets, lines.map((_, n) => n), 'each input line once');
  for (const line of outputs) {
    assert.equal(line.kind, 'output');
    assert.equal(line.stage, 'score');
    const value = line.value as { score: number; alert: boolean; tokens: number; count: number };
    assert.ok(value.score >= 0 && value.score <= 1 && typeof value.alert === 'boolean' && value.tokens > 0 && value.count > 0, JSON.stringify(value));
    const source = JSON.parse(lines[line.offset] as string) as { key: string; eventTime: number };
    assert.equal(line.key, source.key, 'the source key');
    assert.equal(line.eventTime, source.eventTime, 'the source event time');
  }
  // The example's one payload that is not JSON fails in decode, after every try.
  assert.deepEqual(
    failed.map(({ offset, stage, attempts, error }) => ({ offset, stage, attempts, name: error?.errorName })),
    [{ offset: 217, stage: 'decode', attempts: 2, name: 'SyntaxError' }],
  );
  assert.match(stderrLines(exit).at(-1) ?? '', new RegExp(`^tidemark: ${lines.length} read, ${lines.length - 1} outputs, 1 failed \\(0 malformed, 0 too large\\), 0 dropped, \\d+ late, 1 retried in [\\d.]+ s$`));
});

test('run --pipeline: usage errors name the problem', async (t) => {
  const dir = await tempDir(t);
  const bad = join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify({ stages: [{ name: 'decode', transform: './decode.js' }, { name: 'f', parallel: { a: { transform: './a.js' } } }] }));
  const rows: { args: string[]; first: RegExp }[] = [
    { args: ['--pipeline', pipelineFile, '--transform', join(example, 'decode.js')], first: /^error: option '--pipeline <file>' cannot be used with option '--transform <module>'$/ },
    {
      args: ['--pipeline', pipelineFile, '--concurrency', '4'],
      first: new RegExp(`^tidemark: --concurrency sets one engine's option: with --pipeline, give it per stage in ${pipelineFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
    },
    { args: ['--pipeline', bad], first: /^tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `stages\[1\]\.join` to be the join module \(a path or URL\), got `undefined` \(undefined\)$/ },
    { args: ['--pipeline', join(dir, 'missing.json')], first: /^tidemark: ENOENT: no such file or directory, open '.*missing\.json'$/ },
  ];
  for (const { args, first } of rows) {
    const exit = await tidemark(['run', ...args, '--input', input, '--output', join(dir, 'out.ndjson')], undefined, t);
    assert.equal(exit.code, 2, `${args.join(' ')}: ${exit.stderr}`);
    assert.match(stderrLines(exit)[0] ?? '', first, args.join(' '));
  }
});
