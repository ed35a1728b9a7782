import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cliFixture as fixture, parseNdjson, requireBuiltCli, stderrLines, tempDir, tidemark } from './helpers/cli.js';
import type { NdjsonLine } from './helpers/cli.js';

// `tidemark run --timeout, --transport, --ring-bytes, --retry-initial,
// --retry-max`: each flag reaches the engine option it names, shown by what
// the engine does with it (or by the error it gives for a value it
// refuses), never by a clock alone.
before(requireBuiltCli);

const ndjson = (values: readonly unknown[]) => values.map((value) => `${JSON.stringify({ value })}\n`).join('');
const byOffset = (lines: NdjsonLine[]) => [...lines].sort((a, b) => a.offset - b.offset);

test('run --timeout: a try running past it fails with the timeout error, which names the limit', async (t) => {
  // Hangs until its signal aborts, on every try: without the timeout the run never ends.
  const input = ndjson([{ hang: 'async', always: true, n: 0 }, { n: 1 }]);
  const exit = await tidemark(['run', '--quiet', '--transform', fixture('slow.js'), '--timeout', '150', '--attempts', '2', '--retry-initial', '0'], input, t);
  assert.equal(exit.code, 0, exit.stderr);
  const [hung, fine] = byOffset(parseNdjson(exit.stdout));
  assert.equal(hung?.kind, 'failed');
  assert.equal(hung?.attempts, 2, 'both tries timed out');
  assert.equal(hung?.error?.code, 'ERR_TIDEMARK_TRANSFORM', 'a try that failed');
  assert.equal(hung?.error?.errorName, 'TimeoutError');
  assert.equal(hung?.error?.errorCode, 'ERR_TIDEMARK_TIMEOUT');
  assert.match(hung?.error?.message ?? '', /took longer than 150 ms/);
  assert.deepEqual(fine?.value, { n: 1, attempt: 1 });
});

test('run --transport: the worker dying under a held message charges it a try over task, not over ring', async (t) => {
  // One worker, two messages at it: offset 0 is held (async), then offset 1
  // exits the worker from its sync part. The ring transport knows which
  // message held the thread and sends offset 0 again to the new worker; the
  // task transport cannot tell (piscina does not say), so offset 0 fails its
  // only try too. README, Transports.
  const dir = await tempDir(t);
  const started = join(dir, 'held-started');
  const input = ndjson([{ hold: started }, { exitOnceHeld: started }]);
  const run = async (transport: string) => {
    const args = ['run', '--quiet', '--transform', fixture('cli-exit-while-held.js'), '--threads', '1', '--concurrency', '2', '--attempts', '1'];
    const exit = await tidemark([...args, '--transport', transport], input, t);
    assert.equal(exit.code, 0, exit.stderr);
    return byOffset(parseNdjson(exit.stdout)).map((line) => [line.offset, line.kind, line.kind === 'output' ? line.value : line.error?.message]);
  };
  const exited = /exited with code:? 7/;
  const ring = await run('ring');
  assert.deepEqual(ring[0], [0, 'output', 'held'], 'over ring the held message came out of the new worker');
  assert.deepEqual(ring[1]?.slice(0, 2), [1, 'failed']);
  assert.match(String(ring[1]?.[2]), exited);

  await rm(started);
  const task = await run('task');
  assert.deepEqual(
    task.map((row) => row.slice(0, 2)),
    [
      [0, 'failed'],
      [1, 'failed'],
    ],
    'over task the held message was charged the death too',
  );
  for (const row of task) assert.match(String(row[2]), exited);
});

test('run --ring-bytes: the engine checks it (a power of two) and a record past a quarter of the ring still goes through', async (t) => {
  const refused = await tidemark(['run', '--quiet', '--transform', fixture('identity.js'), '--ring-bytes', '5000'], ndjson([1]), t);
  assert.equal(refused.code, 2, refused.stderr);
  assert.deepEqual(stderrLines(refused), [
    'tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--ring-bytes` to be a power of two from 4096 to 2^30, got `5000` (number)',
  ]);

  // A 4096-byte ring takes records of up to 1016 bytes; these go by postMessage.
  const values = ['small', 'x'.repeat(20_000), { text: 'y'.repeat(5000) }];
  const exit = await tidemark(['run', '--quiet', '--transform', fixture('identity.js'), '--threads', '1', '--ring-bytes', '4096'], ndjson(values), t);
  assert.equal(exit.code, 0, exit.stderr);
  assert.deepEqual(
    byOffset(parseNdjson(exit.stdout)).map((line) => line.value),
    values,
  );
});

test('run --retry-initial, --retry-max: the engine gets both (it checks max >= initial), and waits them between tries', async (t) => {
  const refused = await tidemark(['run', '--quiet', '--transform', fixture('identity.js'), '--retry-initial', '50', '--retry-max', '20'], ndjson([1]), t);
  assert.equal(refused.code, 2, refused.stderr);
  assert.deepEqual(stderrLines(refused), [
    'tidemark: ERR_TIDEMARK_INVALID_OPTION: Expected `--retry-max` to be at least --retry-initial (50), got `20` (number)',
  ]);

  // Backoff 100 ms, then 200 (doubled, at the cap), then 200 (capped): the
  // gaps between the tries are at least that (a timer never fires early; the
  // 2 ms allow for the clocks' rounding). Only lower bounds: no upper bound
  // on a clock is asserted. The defaults (10, then 20 ms) would fail this.
  const exit = await tidemark(
    ['run', '--quiet', '--transform', fixture('cli-try-times.js'), '--threads', '1', '--attempts', '4', '--retry-initial', '100', '--retry-max', '200'],
    ndjson(['a']),
    t,
  );
  assert.equal(exit.code, 0, exit.stderr);
  const [record] = parseNdjson(exit.stdout);
  assert.equal(record?.kind, 'failed');
  assert.equal(record?.attempts, 4);
  const { attempt, times } = JSON.parse(record?.error?.message ?? '') as { attempt: number; times: number[] };
  assert.equal(attempt, 4);
  assert.equal(times.length, 4, 'all four tries ran in the one worker');
  const gaps = times.slice(1).map((time, i) => time - (times[i] as number));
  [100, 200, 200].forEach((least, i) => assert.ok((gaps[i] as number) >= least - 2, `gap ${i + 1} is at least ${least} ms: ${gaps.join(', ')}`));
});
