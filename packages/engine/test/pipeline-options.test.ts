import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidOptionError, Pipeline } from '../src/index.js';
import type { PipelineOptions } from '../src/index.js';
import { readPipelineFile } from '../src/pipeline/pipeline-file.js';
import { fixture } from './helpers/gates.js';

// The pipeline's options are checked in its constructor: the shape of each
// stage here, each engine's own options by the engine, and every error names
// the option's path in the pipeline's options.

const step = fixture('pipeline/step.js');
const branches = { a: { transform: step }, b: { transform: step } };

const rows: readonly { readonly title: string; readonly options: unknown; readonly option: string; readonly message: RegExp }[] = [
  { title: 'not an object', options: 7, option: 'options', message: /^Expected `options` to be an object with `stages`, got `7` \(number\)$/ },
  { title: 'an unknown pipeline option', options: { stages: [{ name: 'a', transform: step }], concurrency: 4 }, option: 'concurrency', message: /a pipeline option \(see PipelineOptions\)/ },
  { title: 'no stages', options: { stages: [] }, option: 'stages', message: /an array of at least one stage, got `` \(array\)/ },
  {
    title: 'a branch named __proto__ (it would be lost in the join\'s value)',
    options: { stages: [{ name: 'a', transform: step }, { name: 'p', parallel: JSON.parse(`{"__proto__": {"transform": "${step.href}"}, "b": {"transform": "${step.href}"}}`) as object, join: step }] },
    option: 'stages[1].parallel',
    message: /names other than __proto__/,
  },
  { title: 'a stage that is not an object', options: { stages: ['decode'] }, option: 'stages[0]', message: /a stage object/ },
  { title: 'a stage of no kind', options: { stages: [{ name: 'a' }] }, option: 'stages[0]', message: /exactly one of `transform`, `parallel` or `reduce`/ },
  { title: 'a stage of two kinds', options: { stages: [{ name: 'a', transform: step, reduce: step, window: { tumbling: 10 } }] }, option: 'stages[0]', message: /got `"transform and reduce"`/ },
  { title: 'an unknown stage option', options: { stages: [{ name: 'a', transform: step, ordering: 'key' }] }, option: 'stages[0].ordering', message: /a known option of a transform stage \(name, transform, concurrency, buffers, threads\)/ },
  { title: 'an unnamed stage', options: { stages: [{ transform: step }] }, option: 'stages[0].name', message: /a non-empty string, got `undefined`/ },
  { title: 'two stages of one name', options: { stages: [{ name: 'a', transform: step }, { name: 'a', transform: step }] }, option: 'stages[1].name', message: /a name no other stage has, got `"a"`/ },
  {
    title: 'a reduce stage before the last',
    options: { stages: [{ name: 'sum', reduce: step, window: { tumbling: 10 } }, { name: 'b', transform: step }] },
    option: 'stages[0].reduce',
    message: /only in the last stage \(this is stage 1 of 2\)/,
  },
  {
    title: 'a reduce stage alone',
    options: { stages: [{ name: 'sum', reduce: step, window: { tumbling: 10 } }] },
    option: 'stages[0].reduce',
    message: /in a stage after the first \(a reduce alone is an Engine with `reduce`\)/,
  },
  { title: 'a parallel first stage', options: { stages: [{ name: 'f', parallel: branches, join: step }] }, option: 'stages[0].parallel', message: /in a stage after the first/ },
  { title: 'no branches', options: { stages: [{ name: 'a', transform: step }, { name: 'f', parallel: {}, join: step }] }, option: 'stages[1].parallel', message: /at least one branch/ },
  { title: 'no join', options: { stages: [{ name: 'a', transform: step }, { name: 'f', parallel: branches }] }, option: 'stages[1].join', message: /the join module/ },
  {
    title: 'a branch without a transform',
    options: { stages: [{ name: 'a', transform: step }, { name: 'f', parallel: { a: { concurrency: 2 } }, join: step }] },
    option: 'stages[1].parallel.a.transform',
    message: /the branch's transform module/,
  },
  {
    title: 'an unknown branch option',
    options: { stages: [{ name: 'a', transform: step }, { name: 'f', parallel: { a: { transform: step, join: step } }, join: step }] },
    option: 'stages[1].parallel.a.join',
    message: /a known option of a branch/,
  },
  {
    title: 'a bad maxPending',
    options: { stages: [{ name: 'a', transform: step }, { name: 'f', parallel: branches, join: step, maxPending: 0 }] },
    option: 'stages[1].maxPending',
    message: /an integer from 1 up, got `0`/,
  },
  // The engines' own checks, under the stage's path.
  { title: "a stage's bad concurrency", options: { stages: [{ name: 'a', transform: step, concurrency: 0 }] }, option: 'stages[0].concurrency', message: /^Expected `stages\[0\]\.concurrency` to be / },
  {
    title: "a branch's missing module",
    options: { stages: [{ name: 'a', transform: step }, { name: 'f', parallel: { a: { transform: '/no/such/module.js' } }, join: step }] },
    option: 'stages[1].parallel.a.transform',
    message: /the path or URL of an existing module, got `"\/no\/such\/module\.js"`/,
  },
  {
    title: "a join's missing module",
    options: { stages: [{ name: 'a', transform: step }, { name: 'f', parallel: branches, join: '/no/such/join.js' }] },
    option: 'stages[1].join',
    message: /^Expected `stages\[1\]\.join` to be the path or URL of an existing module/,
  },
  {
    title: "a stage's bad threads (not the pipeline's)",
    options: { threads: 1, stages: [{ name: 'a', transform: step, threads: 0 }] },
    option: 'stages[0].threads',
    message: /^Expected `stages\[0\]\.threads` to be /,
  },
  { title: "the pipeline's bad retry (not a stage's)", options: { retry: { attempts: 0 }, stages: [{ name: 'a', transform: step }] }, option: 'retry.attempts', message: /^Expected `retry\.attempts` to be / },
];

for (const row of rows) {
  test(`options: ${row.title}`, () => {
    assert.throws(
      () => new Pipeline(row.options as PipelineOptions),
      (error: unknown) => {
        assert.ok(error instanceof InvalidOptionError, String(error));
        assert.equal(error.code, 'ERR_TIDEMARK_INVALID_OPTION');
        assert.equal(error.option, row.option);
        assert.match(error.message, row.message);
        return true;
      },
    );
  });
}

test('good options make a pipeline whose stages are named in order; its engines start only when it runs', async () => {
  const pipeline = new Pipeline({
    threads: 1,
    stages: [
      { name: 'decode', transform: step, concurrency: 2 },
      { name: 'features', parallel: branches, join: step, maxPending: 3 },
      { name: 'score', transform: step },
    ],
  });
  assert.deepEqual(pipeline.stages, ['decode', 'features', 'score']);
  assert.equal(pipeline.inFlight, 0);
  assert.deepEqual(pipeline.traces(), []);
  await pipeline.close();
});

test('a pipeline file: module paths relative to the file, anything else as it is', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tidemark-pipeline-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'pipeline.json');
  const absolute = fileURLToPath(step);
  await writeFile(
    file,
    JSON.stringify({
      threads: 2,
      stages: [
        { name: 'decode', transform: './decode.js', concurrency: 3 },
        { name: 'features', parallel: { a: { transform: 'extract/a.js' }, b: { transform: absolute } }, join: 'file:///x/join.js' },
        { name: 'sum', reduce: '../sum.js', window: { tumbling: 10 } },
      ],
    }),
  );
  const options = (await readPipelineFile(file)) as unknown as { threads: number; stages: Record<string, unknown>[] };
  const at = (path: string): string => pathToFileURL(join(dir, path)).href;
  assert.equal(options.threads, 2);
  assert.deepEqual(options.stages, [
    { name: 'decode', transform: at('decode.js'), concurrency: 3 },
    { name: 'features', parallel: { a: { transform: at('extract/a.js') }, b: { transform: absolute } }, join: 'file:///x/join.js' },
    { name: 'sum', reduce: pathToFileURL(join(dir, '..', 'sum.js')).href, window: { tumbling: 10 } },
  ]);
  await writeFile(file, '{"stages": [');
  await assert.rejects(readPipelineFile(file), (error: unknown) => error instanceof InvalidOptionError && error.option === 'pipeline' && /a JSON file of pipeline options/.test(error.message));
  await writeFile(file, '[]');
  await assert.rejects(readPipelineFile(file), (error: unknown) => error instanceof InvalidOptionError && /a JSON object of pipeline options/.test(error.message));
});
